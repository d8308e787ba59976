/**
 * Front door of the supervision tree: Erlang/OTP-style supervisors of OS processes
 * (strategies, restart types, intensity with escalation, backoff with jitter), their
 * lifecycle machine, typed events and errors. Independent of NATS: heartbeat timeouts
 * come in through Supervisor.reportUnresponsive.
 */
export { Strategy } from "./strategy.js";
export { RestartType, isAbnormalExit, restartsAfter } from "./restart-type.js";
export { childProcessHandle } from "./child-handle.js";
export type { ChildExit, ChildHandle } from "./child-handle.js";
export type { ChildSpec, SupervisorChildSpec, SupervisorSpec, WorkerChildSpec } from "./child-spec.js";
export { systemClock } from "./clock.js";
export type { SupervisorClock } from "./clock.js";
export { recordRestart } from "./restart-intensity.js";
export type { IntensityLimit, RestartRecord } from "./restart-intensity.js";
export { restartDelay } from "./restart-backoff.js";
export type { BackoffSpec } from "./restart-backoff.js";
export type { SupervisorEvent, SupervisorEventType } from "./supervisor-event.js";
export { EscalationError } from "./escalation-error.js";
export type { EscalationFields, FailureOrigin } from "./escalation-error.js";
export { ChildStartError, DuplicateChildError, SpawnError, SupervisorNotRunningError } from "./supervision-errors.js";
export { supervisorMachine } from "./supervisor-machine.js";
export type { SupervisorMachineContext, SupervisorMachineEvent, SupervisorMachineInput, SupervisorState } from "./supervisor-machine.js";
export { Supervisor } from "./supervisor.js";
export type { SupervisorOptions } from "./supervisor.js";
export type { ChildInfo, ChildStatus } from "./child-record.js";
