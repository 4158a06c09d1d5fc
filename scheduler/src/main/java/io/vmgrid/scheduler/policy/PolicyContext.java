package io.vmgrid.scheduler.policy;

/**
 * What a policy factory gets: the number of agents, the run's seed (for policies that randomize), and
 * typed policy settings.
 *
 * @param agents number of agents, at least 1
 * @param seed seed for the policy's own random generator
 * @param settings tunables of the individual policies
 */
public record PolicyContext(int agents, long seed, PolicySettings settings) {

  /** Validates the agent count. */
  public PolicyContext {
    if (agents <= 0) {
      throw new IllegalArgumentException("agents must be at least 1, was " + agents);
    }
  }
}
