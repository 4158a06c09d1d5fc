package io.vmgrid.rules.engine;

/**
 * An agent cache's counters.
 *
 * @param topHits lookups answered by a top-level entry
 * @param partialHits lookups of a new type that reused at least one rule result
 * @param misses lookups computed from scratch (including journal-truncation recomputes)
 * @param ruleHits rule results reused when building a new top-level entry
 * @param ruleMisses rule results computed when building a new top-level entry
 * @param evictions entries evicted (top-level and rule-level, by size or age)
 * @param bytes estimated bytes now held
 * @param topEntries top-level entries now held
 * @param ruleEntries rule-level entries now held
 */
public record CacheStats(
    long topHits,
    long partialHits,
    long misses,
    long ruleHits,
    long ruleMisses,
    long evictions,
    long bytes,
    int topEntries,
    int ruleEntries) {}
