/**
 * Errors of the Coder API layer that are not HTTP failures as such. They live here, with the
 * client, so that `coder/` never imports from the layers above it.
 */

/**
 * Thrown by a send when the agent cannot take input now (task busy, starting or paused: Coder's
 * 409, or the 502 "Task app is not ready to accept input." of older servers).
 */
export class AgentBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AgentBusyError";
  }
}
