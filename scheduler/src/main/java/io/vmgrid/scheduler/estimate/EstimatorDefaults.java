package io.vmgrid.scheduler.estimate;

/**
 * The estimates used before the first measurement of their kind.
 *
 * @param topHitNanos a top-level hit
 * @param ruleHitNanos one rule served from its cached result
 * @param ruleMissNanos one rule evaluated from scratch
 */
public record EstimatorDefaults(long topHitNanos, long ruleHitNanos, long ruleMissNanos) {

  /** About the model-mode cost means: 2.5 ms per top-level hit, 1.3 ms per rule hit, 6.7 ms per miss. */
  public static final EstimatorDefaults DEFAULTS =
      new EstimatorDefaults(2_500_000L, 1_300_000L, 6_700_000L);

  /** Validates the values. */
  public EstimatorDefaults {
    if (topHitNanos <= 0 || ruleHitNanos <= 0 || ruleMissNanos <= 0) {
      throw new IllegalArgumentException("estimator defaults must be positive: " + topHitNanos
          + ", " + ruleHitNanos + ", " + ruleMissNanos);
    }
  }
}
