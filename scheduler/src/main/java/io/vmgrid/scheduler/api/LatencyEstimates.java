package io.vmgrid.scheduler.api;

/**
 * The estimator's current figures, read by LatCache: the running averages of a top-level hit, and of
 * one rule's hit and miss, in nanoseconds. Values are always positive.
 */
public interface LatencyEstimates {

  /** Estimated time of a request served from a top-level cache entry. */
  long topHitNanos();

  /** Estimated time of evaluating rule {@code ruleId} when its result is cached (a rule hit). */
  long ruleHitNanos(int ruleId);

  /** Estimated time of evaluating rule {@code ruleId} from scratch (a rule miss). */
  long ruleMissNanos(int ruleId);

  /**
   * Estimated time a request spends after its evaluation, whatever its cache lookup found: on the
   * grid, its share of its group's commit and record, which the agent waits for. 0 where there is
   * none (the simulator's agents only evaluate). LatCache adds it to every processing estimate;
   * kept apart from the lookup estimates because it changes with the load, and those learn only
   * from their own (rare) kind of lookup.
   */
  default long commitNanos() {
    return 0;
  }
}
