package io.vmgrid.scheduler.sim;

/** A policy's result plus its sorted latencies (nanoseconds), for plots. */
public final class PolicyRun {
  private final PolicyResult result;
  private final long[] sortedLatencies;

  PolicyRun(PolicyResult result, long[] sortedLatencies) {
    this.result = result;
    this.sortedLatencies = sortedLatencies;
  }

  /** The figures. */
  public PolicyResult result() {
    return result;
  }

  /** The latency of the request at rank {@code i} (0 = fastest), in nanoseconds. */
  public long latencyAtRank(int i) {
    return sortedLatencies[i];
  }

  /** Number of latencies. */
  public int count() {
    return sortedLatencies.length;
  }
}
