package io.vmgrid.scheduler.sim;

import io.vmgrid.scheduler.estimate.LatencyEstimator;

/** A policy's result, its sorted latencies (nanoseconds) for plots, and what its estimator learned. */
public final class PolicyRun {
  private final PolicyResult result;
  private final long[] sortedLatencies;
  private final LatencyEstimator estimator;

  PolicyRun(PolicyResult result, long[] sortedLatencies, LatencyEstimator estimator) {
    this.result = result;
    this.sortedLatencies = sortedLatencies;
    this.estimator = estimator;
  }

  /** The run's estimator as it stood at the end of the run. */
  public LatencyEstimator estimator() {
    return estimator;
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
