/**
 * Stopping one child process the OTP way: SIGTERM, and SIGKILL if it has not exited
 * once its shutdown time has passed. The timer runs on the injected clock, so tests
 * decide when the deadline passes.
 */
import type { ChildExit, ChildHandle } from "./child-handle.js";
import type { SupervisorClock } from "./clock.js";

/**
 * Sends SIGTERM, then SIGKILL after `shutdownMs` unless the child exited first (then
 * `onKill` is told, for logging). Resolves with the exit, never rejects.
 */
export async function shutdownChild(
  handle: ChildHandle,
  shutdownMs: number,
  clock: SupervisorClock,
  onKill: () => void = () => undefined,
): Promise<ChildExit> {
  handle.kill("SIGTERM");
  const timer = clock.setTimeout(() => {
    onKill();
    handle.kill("SIGKILL");
  }, shutdownMs);
  try {
    return await handle.exited.catch((): ChildExit => ({ code: null, signal: null }));
  } finally {
    clock.clearTimeout(timer);
  }
}
