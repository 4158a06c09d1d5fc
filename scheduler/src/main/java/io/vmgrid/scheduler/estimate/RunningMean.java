package io.vmgrid.scheduler.estimate;

/** A cumulative running mean; mutable, not thread-safe. */
final class RunningMean {
  private long count;
  private double mean;

  void add(long value) {
    count++;
    mean += (value - mean) / count;
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

  /** Adds another mean's measurements: the mean over both sets of values. */
  void merge(RunningMean other) {
    long n = count + other.count;
    if (n > 0) {
      mean = (mean * count + other.mean * other.count) / n;
    }
    count = n;
  }

  void copyFrom(RunningMean other) {
    this.count = other.count;
    this.mean = other.mean;
  }
}
