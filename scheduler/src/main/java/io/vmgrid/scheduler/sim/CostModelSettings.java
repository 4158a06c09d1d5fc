package io.vmgrid.scheduler.sim;

/**
 * Calibration of model mode: what hits, rule hits, rule misses and refreshes cost, and how big cache
 * entries are. The defaults follow the Kamino paper's ratios (a miss costs 5-10x a hit on average;
 * costs vary up to 5x across request types) around Protean's "a few milliseconds" cached path;
 * replace them with figures measured by {@code ./vmgrid bench rules} when available.
 *
 * <p>Per request type {@code t}, from a seeded hash of its type key: a multiplier {@code m_t}
 * log-uniform in {@code [1, typeSpread]} and a ratio {@code q_t} uniform in
 * {@code [missHitRatioMin, missHitRatioMax]}. Then {@code hit_t = hitBaseNanos * m_t}, and a
 * top-level miss whose rules all hit their cached results costs {@code q_t * hit_t}: a consolidation
 * step (intersect, rank, build the candidate list) taking {@code (1 - ruleShare)} of it, and the rule
 * hits taking {@code ruleShare}, split by rule weight. A rule that misses costs
 * {@code ruleMissMultiplier} times its rule hit. Since most rule lookups hit, the observed average
 * top-level miss stays close to {@code q_t * hit_t}, the paper's 5-10x; a miss with every rule cold
 * costs more. Every cached entry used pays {@code refreshNanosPerChange} per inventory change since
 * its last use (journal replay), capped at what recomputing it would cost; an entry more than
 * {@code journalCapacity} changes behind is recomputed as a miss. Each request's total is multiplied
 * by a seeded log-normal noise factor with sigma {@code noiseSigma} (mean 1).
 *
 * @param hitBaseNanos top-level hit time of the cheapest type
 * @param typeSpread ratio of the most to the least expensive type
 * @param missHitRatioMin lower bound of a type's top-level miss (rules hitting) / hit ratio
 * @param missHitRatioMax upper bound of that ratio
 * @param ruleShare share of a top-level miss (rules hitting) spent evaluating the rules
 * @param ruleMissMultiplier a rule miss's cost as a multiple of the same rule's hit
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
    double ruleShare,
    double ruleMissMultiplier,
    long refreshNanosPerChange,
    long journalCapacity,
    long topEntryBytes,
    long ruleEntryBytes,
    double noiseSigma) {

  /**
   * The documented defaults: hit 1-5 ms (mean about 2.5 ms); top-level miss 5-10x the hit, half of it
   * in the rules; a rule miss 5x a rule hit; 1 us of journal replay per change; 20,000-change
   * journal; 16 KiB top-level and 4 KiB rule entries; noise sigma 0.1.
   */
  public static final CostModelSettings DEFAULTS = new CostModelSettings(
      1_000_000L, 5.0, 5.0, 10.0, 0.5, 5.0, 1_000L, 20_000L, 16 * 1024L, 4 * 1024L, 0.1);

  /** Validates the settings. */
  public CostModelSettings {
    if (hitBaseNanos <= 0 || !(typeSpread >= 1) || !(missHitRatioMin > 1)
        || !(missHitRatioMax >= missHitRatioMin) || !(ruleShare > 0 && ruleShare < 1)
        || !(ruleMissMultiplier >= 1) || refreshNanosPerChange < 0 || journalCapacity < 0
        || topEntryBytes <= 0 || ruleEntryBytes <= 0 || !(noiseSigma >= 0)) {
      throw new IllegalArgumentException("invalid cost model settings: " + this);
    }
  }
}
