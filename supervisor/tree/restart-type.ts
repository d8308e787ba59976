/**
 * Restart types of a child, with Erlang/OTP's names and meaning, and the one rule that
 * reads them: does this exit call for a restart? What counts as abnormal is decided
 * here and nowhere else.
 */
import type { ChildExit } from "./child-handle.js";

/** When a child that exited is started again. */
export const RestartType = {
  /** Always restarted, whatever the exit. */
  Permanent: "permanent",
  /** Restarted only after an abnormal exit (non-zero code or a signal). */
  Transient: "transient",
  /** Never restarted; removed from its supervisor when it exits. */
  Temporary: "temporary",
} as const;
export type RestartType = (typeof RestartType)[keyof typeof RestartType];

/** True for a non-zero exit code or death by a signal (SIGKILL from an unresponsive report included). */
export function isAbnormalExit(exit: ChildExit): boolean {
  return exit.signal !== null || exit.code !== 0;
}

/** Whether a child of restart type `type` that ended with `exit` is restarted. */
export function restartsAfter(type: RestartType, exit: ChildExit): boolean {
  switch (type) {
    case RestartType.Permanent:
      return true;
    case RestartType.Transient:
      return isAbnormalExit(exit);
    case RestartType.Temporary:
      return false;
  }
}
