package io.vmgrid.scheduler.sim;

/**
 * Calibration of model mode: what hits, rule hits, rule misses and refreshes cost, and how big cache
 * entries are. The defaults follow the Kamino paper's ratios (a miss costs 5-10x a hit; costs vary up
 * to 5x across request types) around Protean's "a few milliseconds" cached path; replace them with
 * figures measured by {@code ./vmgrid bench rules} when available.
 *
 * <p>Per request type {@code t}, from a seeded hash of its type key: a multiplier {@code m_t}
 * log-uniform in {@code [1, typeSpread]} and a ratio {@code q_t} uniform in
 * {@code [missHitRatioMin, missHitRatioMax]}. Then {@code hit_t = hitBaseNanos * m_t}; a full miss
 * costs {@code q_t * hit_t}, made of a consolidation step costing {@code hit_t} plus the rules, each
 * rule's miss getting its weight's share of {@code (q_t - 1) * hit_t}; a rule hit costs
 * {@code ruleHitFraction} of that rule's miss. Every cached entry used pays
 * {@code refreshNanosPerChange} per inventory change since its last use (journal replay), capped at
 * what recomputing it would cost; an entry
 * more than {@code journalCapacity} changes behind is recomputed as a miss. Each request's total is
 * multiplied by a seeded log-normal noise factor with sigma {@code noiseSigma} (mean 1).
 *
 * @param hitBaseNanos top-level hit time of the cheapest type
 * @param typeSpread ratio of the most to the least expensive type
 * @param missHitRatioMin lower bound of a type's full-miss / hit ratio
 * @param missHitRatioMax upper bound of a type's full-miss / hit ratio
 * @param ruleHitFraction a rule hit's cost as a fraction of the same rule's miss
 * @param refreshNanosPerChange journal replay cost per change, per cached entry used
 * @param journalCapacity changes the journal keeps
 * @param topEntryBytes mean size of a top-level entry (per type: 0.5x to 2x, log-uniform)
 * @param ruleEntryBytes size of a rule entry
 * @param noiseSigma log-normal service-time noise
 */
public record CostModelSettings(
    long hitBaseNanos,
    double typeSpread,
    double missHitRatioMin,
    double missHitRatioMax,
    double ruleHitFraction,
    long refreshNanosPerChange,
    long journalCapacity,
    long topEntryBytes,
    long ruleEntryBytes,
    double noiseSigma) {

  /** The documented defaults (hit 1-5 ms, mean about 2.5 ms; full miss 5-10x). */
  public static final CostModelSettings DEFAULTS = new CostModelSettings(
      1_000_000L, 5.0, 5.0, 10.0, 0.1, 1_000L, 20_000L, 16 * 1024L, 4 * 1024L, 0.1);

  /** Validates the settings. */
  public CostModelSettings {
    if (hitBaseNanos <= 0 || !(typeSpread >= 1) || !(missHitRatioMin > 1)
        || !(missHitRatioMax >= missHitRatioMin) || !(ruleHitFraction >= 0 && ruleHitFraction <= 1)
        || refreshNanosPerChange < 0 || journalCapacity < 0 || topEntryBytes <= 0
        || ruleEntryBytes <= 0 || !(noiseSigma >= 0)) {
      throw new IllegalArgumentException("invalid cost model settings: " + this);
    }
  }
}
