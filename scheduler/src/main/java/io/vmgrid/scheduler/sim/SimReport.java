package io.vmgrid.scheduler.sim;

import java.util.List;

/**
 * The JSON report of one simulation: the run's parameters and one result per policy. Contains no
 * wall-clock figures, so the same inputs and seed give byte-identical JSON.
 *
 * @param mode the cost mode that ran, "model" or "engine"
 * @param seed the seed
 * @param workload what the request stream was made from
 * @param requests number of requests
 * @param requestTypes number of distinct request types
 * @param agents number of agents
 * @param ratePerSec target mean arrival rate before the load factor
 * @param loadFactor inter-arrival multiplier (Kamino's epsilon)
 * @param cacheBytesPerAgent cache budget of each agent
 * @param policies per-policy results, in the order run
 */
public record SimReport(
    String mode,
    long seed,
    String workload,
    int requests,
    int requestTypes,
    int agents,
    double ratePerSec,
    double loadFactor,
    long cacheBytesPerAgent,
    List<PolicyResult> policies) {

  /** Copies the list. */
  public SimReport {
    policies = List.copyOf(policies);
  }
}
