package io.vmgrid.scheduler.sim;

import io.vmgrid.scheduler.api.AgentIndicators;

/** Creates the agent backends of one cost mode for one simulation run. */
public interface BackendFactory {

  /** The mode's name as reported: {@code model} or {@code engine}. */
  String mode();

  /** A fresh backend (empty cache) for agent {@code agent}. */
  AgentBackend create(int agent);

  /**
   * The oracle's processing time of a request of type {@code typeIndex} on an agent, judged against
   * its augmented cache with the true per-type costs (no noise, no refresh); used to score how often
   * a policy picks the best agent.
   */
  long oracleNanos(SimRequest request, AgentIndicators agent);

  /**
   * Starts a new policy run: called before the run creates its agents. Engine mode rebuilds its
   * shared inventory here so every policy starts from the same state; model mode has nothing shared.
   */
  default void reset() {}

  /** Placements that found no server in the current run; -1 if the mode does not place VMs. */
  default long placementFailures() {
    return -1;
  }
}
