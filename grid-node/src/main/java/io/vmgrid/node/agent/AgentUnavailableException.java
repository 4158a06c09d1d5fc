package io.vmgrid.node.agent;

/**
 * The member a request was sent to has no agent to take it (it is shutting down, or its agent
 * stopped): nothing was done, and the sender may try another agent.
 */
public final class AgentUnavailableException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** With a message saying why. */
  public AgentUnavailableException(String message) {
    super(message);
  }
}
