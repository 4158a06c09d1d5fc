package io.vmgrid.scheduler.sim.engine;

import io.vmgrid.scheduler.estimate.EstimatorDefaults;

/**
 * What engine mode charges per unit of counted work, so a request's service time is deterministic:
 * the real engine and cache process it, and the work they did is counted and priced here.
 *
 * <p>Calibrated on the 2-core build machine from {@code ./vmgrid bench rules --servers 10000}
 * (docs/benchmarks/rules.md) and from {@code vmgrid sim check-costs} (lookups of the Azure workload
 * timed in place, medians): hit with 0 pending changes 1.7 us (the per-lookup cost); a journal record
 * replayed into a top-level entry 70 ns (check-costs at 20,000 servers: top hits replaying a median
 * of 20, 242 and 1,510 records took 7.4, 30.0 and 105.7 us; the bench's random changes, 0.40 us per
 * record, touch more rule results per record than the workload's placements and departures); miss 528.6 us against a partial hit of 161.2 us, the difference being the 110,000
 * server-level rule evaluations a miss redoes (3.34 ns per unit); building a type entry from cached
 * rule results took 122 us at 5,000 servers and 187 us at 10,000 in the workload (4,587 and 9,522
 * passing servers), i.e. 58 us plus 13.2 ns per passing server ranked (which also gives the bench's
 * 1,463 us at 100,000 servers within 7%). A rule entry replaying the journal on its own (reused by a
 * new request type) checks each record against one rule instead of all 14, so it is charged
 * {@code journalRecordNanos / 14} per record: an assumption, not a measurement.
 *
 * @param lookupNanos fixed cost of one cache lookup (classification, probes, answer)
 * @param journalRecordNanos per journal record replayed into a top-level entry
 * @param ruleRecordNanos per journal record replayed into a reused rule entry
 * @param ruleUnitNanos per server or cluster a rule evaluates
 * @param entryBuildNanos fixed cost of building a top-level entry (a top-level miss)
 * @param rankedServerNanos per passing server ranked when a top-level entry is built
 */
public record EngineCosts(
    double lookupNanos,
    double journalRecordNanos,
    double ruleRecordNanos,
    double ruleUnitNanos,
    double entryBuildNanos,
    double rankedServerNanos) {

  /** The calibration above. */
  public static final EngineCosts DEFAULTS = new EngineCosts(1_700, 70, 5, 3.34, 58_000, 13.2);

  /** Validates: every figure finite and non-negative, the lookup positive. */
  public EngineCosts {
    for (double d : new double[] {journalRecordNanos, ruleRecordNanos, ruleUnitNanos,
        entryBuildNanos, rankedServerNanos}) {
      if (!(d >= 0) || Double.isInfinite(d)) {
        throw new IllegalArgumentException("engine costs must be finite and >= 0: " + this);
      }
    }
    if (!(lookupNanos > 0) || Double.isInfinite(lookupNanos)) {
      throw new IllegalArgumentException("lookup cost must be positive: " + lookupNanos);
    }
  }

  /**
   * What the latency estimator assumes in engine mode before its first measurement of a kind: this
   * price table's own figures for {@code servers} servers, not model mode's milliseconds. A top-level
   * hit is one lookup with nothing to replay; a rule served from its cached result is charged one
   * lookup too; a rule evaluated from scratch visits every server once. With model mode's defaults
   * (2.5 ms a hit, 6.7 ms a rule miss, against the engine's microseconds) the first requests of a
   * run were queued with estimates 100 to 1,000 times too high, and routing by them during the cold
   * start, while every cache is empty, cost Kamino a fifth of its mean at 20,000 servers and two
   * fifths at 100,000 (docs/benchmarks/kamino-sim.md).
   */
  public EstimatorDefaults estimatorDefaults(int servers) {
    if (servers <= 0) {
      throw new IllegalArgumentException("servers must be positive, was " + servers);
    }
    long lookup = Math.max(1, Math.round(lookupNanos));
    return new EstimatorDefaults(lookup, lookup, Math.max(1, Math.round(ruleUnitNanos * servers)));
  }
}
