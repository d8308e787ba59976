/** Why an agent could not join or keep running: says what the operator should do. */
import { TerminalError } from "../../protocols/index.js";

/** The agent cannot reach NATS, finds no cluster there, or was refused; retrying as is will not help. */
export class AgentJoinError extends TerminalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("agent.join", message, options);
  }
}
