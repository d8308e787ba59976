/** Chaos: scenarios, fault injection, recovery tracking, the checkers and the report of `colony chaos run`. */
export { FaultKind, loadScenario, NETWORK_FAULTS, parseDuration, parseScenario, ScenarioError, usesNetworkFaults, type Scenario } from "./scenario.js";
export { NetworkLink } from "./network-link.js";
export { planFaults, seededRandom, type PlannedFault } from "./fault-plan.js";
export { chooseTarget, injectFault, NETWORK_FAULT_SKIP, type ActorProcess, type ClusterUnderTest, type InjectedFault } from "./fault-injector.js";
export { producerActorOf, RecoveryTracker, type Recovery } from "./recovery-tracker.js";
export { runScenario, type ChaosHarness, type ClusterObservation, type JobRun } from "./run-scenario.js";
export { reportSummary, type ChaosReport } from "./chaos-report.js";
export { renderReportHtml } from "./report-html.js";
export { renderReportMarkdown } from "./report-markdown.js";
export { auditUpdateLog, type UpdateLogAudit } from "./checkers/update-log-audit.js";
export type { CheckerVerdict } from "./checkers/verdict.js";
