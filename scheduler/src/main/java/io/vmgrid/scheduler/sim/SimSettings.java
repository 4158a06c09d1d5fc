package io.vmgrid.scheduler.sim;

import io.vmgrid.scheduler.estimate.EstimatorDefaults;
import io.vmgrid.scheduler.policy.PolicySettings;

/**
 * Settings of one simulation, with defaults.
 *
 * @param agents number of agents
 * @param cacheBytesPerAgent byte budget of each agent's cache
 * @param maxAgeSeconds cache entries unused this long are evicted
 * @param changesPerPlacement inventory changes (journal records) each completed request causes
 * @param seed seed of everything random: constraints, costs, noise, randomized policies
 * @param cost model-mode calibration
 * @param policies policy tunables
 * @param estimatorDefaults the estimator's figures before its first measurement
 */
public record SimSettings(
    int agents,
    long cacheBytesPerAgent,
    double maxAgeSeconds,
    int changesPerPlacement,
    long seed,
    CostModelSettings cost,
    PolicySettings policies,
    EstimatorDefaults estimatorDefaults) {

  /** Default cache budget per agent: 4 MiB. */
  public static final long DEFAULT_CACHE_BYTES = 4L * 1024 * 1024;

  /** Validates the settings. */
  public SimSettings {
    if (agents <= 0) {
      throw new IllegalArgumentException("agents must be at least 1, was " + agents);
    }
    if (cacheBytesPerAgent <= 0) {
      throw new IllegalArgumentException("cache bytes must be positive, was " + cacheBytesPerAgent);
    }
    if (!(maxAgeSeconds > 0)) {
      throw new IllegalArgumentException("max age must be positive, was " + maxAgeSeconds);
    }
    if (changesPerPlacement < 0) {
      throw new IllegalArgumentException("changes per placement must be >= 0");
    }
  }

  /** Defaults: 4 agents, 4 MiB per agent, 30 s maximum age, one change per placement. */
  public static SimSettings defaults(long seed) {
    return new SimSettings(4, DEFAULT_CACHE_BYTES, 30.0, 1, seed, CostModelSettings.DEFAULTS,
        PolicySettings.DEFAULTS, EstimatorDefaults.DEFAULTS);
  }

  /** The same settings with another agent count. */
  public SimSettings withAgents(int n) {
    return new SimSettings(n, cacheBytesPerAgent, maxAgeSeconds, changesPerPlacement, seed, cost,
        policies, estimatorDefaults);
  }

  /** The same settings with another cache budget per agent. */
  public SimSettings withCacheBytes(long bytes) {
    return new SimSettings(agents, bytes, maxAgeSeconds, changesPerPlacement, seed, cost, policies,
        estimatorDefaults);
  }
}
