package io.vmgrid.scheduler.estimate;

/**
 * A running mean over the measurements so far, or over about the latest {@code memory} of them:
 * once it holds {@code memory}, the past counts as {@code memory} measurements, so a new one moves
 * the mean by {@code 1 / (memory + 1)} of its difference and old ones fade. With
 * {@link Long#MAX_VALUE} (the default) the mean is cumulative. Mutable, not thread-safe.
 */
final class RunningMean {
  private final long memory;
  private long count;
  private double mean;

  /** A cumulative mean. */
  RunningMean() {
    this(Long.MAX_VALUE);
  }

  /** A mean over about the latest {@code memory} measurements (at least 1). */
  RunningMean(long memory) {
    this.memory = Math.max(1, memory);
  }

  void add(long value) {
    long weight = Math.min(count, memory);
    count++;
    mean += (value - mean) / (weight + 1);
  }

  long count() {
    return count;
  }

  double mean() {
    return mean;
  }

  void set(long count, double mean) {
    this.count = count;
    this.mean = mean;
  }

  /** The rounded mean (at least 1 ns), or {@code fallback} before the first value. */
  long orElse(long fallback) {
    return count == 0 ? fallback : Math.max(1L, Math.round(mean));
  }

  /**
   * Adds another mean's measurements: the mean over both sets of values, this mean's past counting
   * as at most {@code memory} of them (and the other's too).
   */
  void merge(RunningMean other) {
    double mine = Math.min(count, memory);
    double theirs = Math.min(other.count, memory);
    if (mine + theirs > 0) {
      mean = (mean * mine + other.mean * theirs) / (mine + theirs);
    }
    count += other.count;
  }

  void copyFrom(RunningMean other) {
    this.count = other.count;
    this.mean = other.mean;
  }
}
