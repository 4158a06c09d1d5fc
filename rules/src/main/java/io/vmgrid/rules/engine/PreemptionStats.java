package io.vmgrid.rules.engine;

/**
 * Counters of an engine's preemption searches (the rare path: requests no server fits).
 *
 * @param searches searches run (preemption on and the request outranking someone)
 * @param found searches that found an eviction
 * @param cutShort searches that ran out of their step budget (their answer, if any, is the best
 *     set found at the size reached, still the fewest victims any server needs)
 * @param trials trial evictions evaluated against the validators
 */
public record PreemptionStats(long searches, long found, long cutShort, long trials) {}
