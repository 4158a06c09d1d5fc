package io.vmgrid.node.agent;

import io.vmgrid.client.api.Reason;
import io.vmgrid.rules.engine.Lookup;

/**
 * What an agent did with one allocation request.
 *
 * @param status PLACED, REJECTED (no server qualifies, or the VM id is taken) or FAILED
 * @param serverId the server the VM is on when placed; on FAILED with {@link Reason#IN_DOUBT}, the
 *     server a commit may remain on; empty otherwise
 * @param clusterId the cluster of {@code serverId} when placed, else empty
 * @param reason why it was not placed ({@link Reason#NONE} when placed)
 * @param message human-readable detail
 * @param agentId the agent that handled it
 * @param attempts commits tried
 * @param conflicts commits refused by the server's current state
 * @param lookup how the agent's cache answered the first lookup
 * @param queueNanos time waiting in the agent's queue
 * @param evaluateNanos time evaluating rules (cache lookups included)
 * @param commitNanos its share of the group's commit and record operations
 */
public record AgentOutcome(
    Status status,
    String serverId,
    String clusterId,
    Reason reason,
    String message,
    String agentId,
    int attempts,
    int conflicts,
    Lookup lookup,
    long queueNanos,
    long evaluateNanos,
    long commitNanos) {

  /** Outcome kinds. */
  public enum Status {
    /** Committed to {@code serverId} and recorded. */
    PLACED,
    /** No server satisfies the rules now, or the VM id belongs to another request. */
    REJECTED,
    /** Could not complete (conflicts exhausted the attempts, no quorum, an error). */
    FAILED
  }

  /** The agent's processing time: what the latency estimator learns from. */
  public long processingNanos() {
    return evaluateNanos + commitNanos;
  }
}
