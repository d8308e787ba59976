/** Front door of the cluster's metrics: the root supervisor's Prometheus endpoint and OTLP export, and the names they carry. */
export { startClusterMetrics, startPrometheusEndpoint, type ClusterMetrics } from "./cluster-metrics.js";
export { histogramMetricName } from "./heartbeat-histograms.js";
export { boundedPartitionLoad, LOAD_METRIC_NAMES, PARTITION_SERIES_LIMIT, type PartitionLoadPoint } from "./load-instruments.js";
export { MetricsEndpointError, type PrometheusEndpoint } from "./prometheus-endpoint.js";
export { STATUS_METRIC_NAMES } from "./status-instruments.js";
