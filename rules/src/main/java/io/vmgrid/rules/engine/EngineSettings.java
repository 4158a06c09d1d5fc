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
 * @param reserve ranked servers a cached entry keeps beyond {@code topK}, so that refilling its list
 *     mostly re-ranks these instead of scanning every server; {@link #AUTO_RESERVE} sizes it by the
 *     inventory ({@link #reserveFor}), 0 turns it off
 */
public record EngineSettings(
    int topK, int exactTop, int minN0, int maxN0, long conflictWindowNanos, int reserve) {

  /** {@code reserve} value that sizes the reserve by the inventory. */
  public static final int AUTO_RESERVE = -1;

  /** Settings with the reserve sized by the inventory. */
  public EngineSettings(int topK, int exactTop, int minN0, int maxN0, long conflictWindowNanos) {
    this(topK, exactTop, minN0, maxN0, conflictWindowNanos, AUTO_RESERVE);
  }

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
    if (reserve < AUTO_RESERVE) {
      throw new ValidationException("reserve", "must be >= 0 (or -1 for automatic), was " + reserve);
    }
  }

  /**
   * The reserve an entry keeps in an inventory of {@code servers}: as configured, or automatically
   * none below 16,384 servers (a scan is cheap there) and {@code servers / 64}, at most 1,024, above.
   * At 100,000 servers full-scan refills were 60% of the agents' time in top-level hits (JFR,
   * {@code bench e2e} at 50/s): best-fit ranks the same nearly full servers first for every request
   * type, so every entry's ranked list drains as they fill.
   */
  public int reserveFor(int servers) {
    if (reserve != AUTO_RESERVE) {
      return reserve;
    }
    return servers < 16_384 ? 0 : Math.min(1_024, servers / 64);
  }

  /** topK 128, exactTop 32, N0 in [1, 16], 10 s conflict window. */
  public static EngineSettings defaults() {
    return new EngineSettings(128, 32, 1, 16, 10_000_000_000L);
  }
}
