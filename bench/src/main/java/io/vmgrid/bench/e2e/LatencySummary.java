package io.vmgrid.bench.e2e;

import java.util.Arrays;

/**
 * Mean and nearest-rank percentiles of a set of latencies, in milliseconds.
 *
 * @param count latencies summarized
 * @param meanMs arithmetic mean
 * @param p50Ms median (nearest rank)
 * @param p90Ms 90th percentile (nearest rank)
 * @param p99Ms 99th percentile (nearest rank)
 * @param maxMs largest
 */
record LatencySummary(int count, double meanMs, double p50Ms, double p90Ms, double p99Ms,
    double maxMs) {

  /** The summary of {@code nanos} (not modified); all zero when empty. */
  static LatencySummary ofNanos(long[] nanos) {
    if (nanos.length == 0) {
      return new LatencySummary(0, 0, 0, 0, 0, 0);
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (long n : sorted) {
      sum += n;
    }
    return new LatencySummary(sorted.length, sum / sorted.length / 1e6,
        percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.90) / 1e6,
        percentile(sorted, 0.99) / 1e6, sorted[sorted.length - 1] / 1e6);
  }

  /**
   * The nearest-rank {@code q}-quantile of a sorted, non-empty array: the smallest value with at least
   * {@code q} of the values at or below it.
   */
  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    if (!(q > 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile must be in (0, 1], was " + q);
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }
}
