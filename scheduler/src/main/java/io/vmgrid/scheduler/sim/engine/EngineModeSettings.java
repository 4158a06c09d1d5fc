package io.vmgrid.scheduler.sim.engine;

import io.vmgrid.scheduler.estimate.EstimatorDefaults;

/**
 * Settings of engine mode.
 *
 * @param servers servers of the generated inventory shared by the agents
 * @param journalCapacity inventory changes the journal keeps (older cached entries are recomputed)
 * @param costs what counted work costs
 */
public record EngineModeSettings(int servers, int journalCapacity, EngineCosts costs) {

  /** Default inventory size: 5,000 servers (5 clusters of 1,000). */
  public static final int DEFAULT_SERVERS = 5_000;

  /** Defaults: 5,000 servers, a 20,000-record journal, {@link EngineCosts#DEFAULTS}. */
  public static final EngineModeSettings DEFAULTS =
      new EngineModeSettings(DEFAULT_SERVERS, 20_000, EngineCosts.DEFAULTS);

  /** Validates. */
  public EngineModeSettings {
    if (servers < 1) {
      throw new IllegalArgumentException("--servers must be at least 1, was " + servers);
    }
    if (journalCapacity < 1) {
      throw new IllegalArgumentException("journal capacity must be at least 1, was "
          + journalCapacity);
    }
  }

  /** What the latency estimator assumes before its first measurements: these prices at this size. */
  public EstimatorDefaults estimatorDefaults() {
    return costs.estimatorDefaults(servers);
  }

  /** The same settings with another inventory size. */
  public EngineModeSettings withServers(int n) {
    return new EngineModeSettings(n, journalCapacity, costs);
  }
}
