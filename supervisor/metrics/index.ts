/** Front door of the cluster's metrics: the Prometheus scrape endpoint of the root supervisor and the names it exports. */
export { histogramMetricName } from "./heartbeat-histograms.js";
export { MetricsEndpointError, startPrometheusEndpoint, type PrometheusEndpoint } from "./prometheus-endpoint.js";
export { STATUS_METRIC_NAMES } from "./status-instruments.js";
