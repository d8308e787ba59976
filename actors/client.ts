/**
 * The front door of actors/ for processes that only talk to a running cluster (the
 * operator commands, the agent): typed request/reply and the histogram names that
 * status pages read, without loading any actor's machine or the training code.
 * actors/index.ts re-exports the same names for everything else.
 */
export { request } from "./runtime/request.js";
export { STALENESS_HISTOGRAM } from "./runtime/latency-histogram.js";
