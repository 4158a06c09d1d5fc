package io.vmgrid.rules.engine;

import io.vmgrid.rules.api.ValidationException;

/**
 * Tuning of the rule engine.
 *
 * @param topK how many ranked candidates a cached entry keeps (>= exactTop)
 * @param exactTop how many candidates are returned; always exactly the best ones (refilled by a scan
 *     when changes drop the kept list below this)
 * @param minN0 top-N0 pick size with no recent conflicts (1 = always the best server)
 * @param maxN0 top-N0 pick size at a 100% conflict rate (<= exactTop)
 * @param conflictWindowNanos sliding window over which the conflict rate is measured
 */
public record EngineSettings(
    int topK, int exactTop, int minN0, int maxN0, long conflictWindowNanos) {

  /** Validates the bounds, naming the field. */
  public EngineSettings {
    if (exactTop < 1) {
      throw new ValidationException("exactTop", "must be >= 1, was " + exactTop);
    }
    if (topK < exactTop) {
      throw new ValidationException("topK", "must be >= exactTop (" + exactTop + "), was " + topK);
    }
    if (minN0 < 1) {
      throw new ValidationException("minN0", "must be >= 1, was " + minN0);
    }
    if (maxN0 < minN0 || maxN0 > exactTop) {
      throw new ValidationException("maxN0", "must be in [minN0, exactTop], was " + maxN0);
    }
    if (conflictWindowNanos <= 0) {
      throw new ValidationException("conflictWindowNanos", "must be > 0");
    }
  }

  /** topK 128, exactTop 32, N0 in [1, 16], 10 s conflict window. */
  public static EngineSettings defaults() {
    return new EngineSettings(128, 32, 1, 16, 10_000_000_000L);
  }
}
