package io.vmgrid.rules.ruleset;

import io.vmgrid.rules.api.ValidationException;

/**
 * A rule set's preemption policy: whether a request that fits no server may evict lower-priority
 * VMs, and how far the engine goes to find them.
 *
 * @param enabled whether preemption is on (a request still never evicts its own priority or higher)
 * @param maxVictims the most VMs one request may evict, 1..64
 * @param searchBudget the most steps (subsets looked at plus trial evictions) one request's search
 *     may take, so that a crunch cannot make the rare path slow; a search cut short returns the best
 *     set found at the smallest size reached, or nothing
 */
public record Preemption(boolean enabled, int maxVictims, int searchBudget) {

  /** Validates the bounds, naming the field. */
  public Preemption {
    if (maxVictims < 1 || maxVictims > 64) {
      throw new ValidationException("maxVictims", "must be in [1, 64], was " + maxVictims);
    }
    if (searchBudget < 1) {
      throw new ValidationException("searchBudget", "must be >= 1, was " + searchBudget);
    }
  }

  /** On, at most 8 victims, a budget of 200,000 steps. */
  public static Preemption defaults() {
    return new Preemption(true, 8, 200_000);
  }

  /** A copy switched on or off. */
  public Preemption withEnabled(boolean on) {
    return new Preemption(on, maxVictims, searchBudget);
  }
}
