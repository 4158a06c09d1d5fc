package io.vmgrid.scheduler.sim;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vmgrid.scheduler.sim.engine.EngineCosts;
import java.util.List;
import org.jspecify.annotations.Nullable;

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
 * @param engine engine mode only: the inventory, rule set and cost calibration
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
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
    List<PolicyResult> policies,
    @Nullable EngineInfo engine) {

  /**
   * What engine mode ran on.
   *
   * @param servers servers of the generated inventory
   * @param machineTypes where the machine types came from
   * @param ruleSet the rule set's source
   * @param rules number of rules (a request has one rule key per rule)
   * @param initialVms VMs running before the replay, placed at random where they fit
   * @param journalCapacity inventory changes the journal keeps
   * @param costs nanoseconds per counted unit of work
   */
  public record EngineInfo(int servers, String machineTypes, String ruleSet, int rules,
      int initialVms, int journalCapacity, EngineCosts costs) {}

  /** A model-mode report (no engine section). */
  public SimReport(String mode, long seed, String workload, int requests, int requestTypes,
      int agents, double ratePerSec, double loadFactor, long cacheBytesPerAgent,
      List<PolicyResult> policies) {
    this(mode, seed, workload, requests, requestTypes, agents, ratePerSec, loadFactor,
        cacheBytesPerAgent, policies, null);
  }

  /** Copies the list. */
  public SimReport {
    policies = List.copyOf(policies);
  }
}
