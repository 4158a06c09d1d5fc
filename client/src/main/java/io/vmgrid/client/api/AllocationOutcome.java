package io.vmgrid.client.api;

import java.time.Duration;

/**
 * What became of an allocation request: {@link Placed}, {@link Rejected} (valid but not satisfiable)
 * or {@link Failed} (not carried out). Never a bare exception string.
 */
public sealed interface AllocationOutcome
    permits AllocationOutcome.Placed, AllocationOutcome.Rejected, AllocationOutcome.Failed {

  /** The request this outcome answers. */
  String requestId();

  /** The VM concerned. */
  String vmId();

  /** Time from submission to the outcome, as the client saw it. */
  Duration latency();

  /**
   * The VM was committed on a server.
   *
   * @param requestId the request
   * @param vmId the VM
   * @param serverId where it now runs
   * @param clusterId the server's cluster (empty if the grid did not say)
   * @param agentId the allocation agent that placed it (empty for an earlier placement returned
   *     to an idempotent retry)
   * @param attempts commit attempts the grid made (1 + conflicts)
   * @param latency time from submission to outcome
   */
  record Placed(String requestId, String vmId, String serverId, String clusterId, String agentId,
      int attempts, Duration latency) implements AllocationOutcome {}

  /**
   * The request was valid but cannot be satisfied now; nothing was committed.
   *
   * @param requestId the request
   * @param vmId the VM
   * @param reason why: {@link Reason#NO_CAPACITY} (no server has room now),
   *     {@link Reason#CONSTRAINT_UNSATISFIABLE} (a constraint no server can meet, e.g. an unknown
   *     cluster), {@link Reason#VM_ID_IN_USE}, ...
   * @param message detail for people
   * @param latency time from submission to outcome
   */
  record Rejected(String requestId, String vmId, Reason reason, String message, Duration latency)
      implements AllocationOutcome {}

  /**
   * The request was not carried out; nothing was committed by it.
   *
   * @param requestId the request
   * @param vmId the VM
   * @param reason why, e.g. {@link Reason#TIMEOUT}, {@link Reason#INVALID_INPUT},
   *     {@link Reason#NO_QUORUM}
   * @param message detail for people; for invalid input it starts with the field name
   * @param latency time from submission to outcome
   */
  record Failed(String requestId, String vmId, Reason reason, String message, Duration latency)
      implements AllocationOutcome {}
}
