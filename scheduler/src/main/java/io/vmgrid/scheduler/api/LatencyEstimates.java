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
}
