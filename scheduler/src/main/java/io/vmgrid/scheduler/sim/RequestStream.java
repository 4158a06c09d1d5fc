package io.vmgrid.scheduler.sim;

import io.vmgrid.scheduler.api.ClassifiedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The request stream every policy replays: arrival times (scaled to a target rate and multiplied by
 * the load factor) and, per request, an index into a table of distinct request types.
 */
public final class RequestStream {
  private final String description;
  private final long[] arrivalNanos;
  private final int[] typeIndex;
  private final List<ClassifiedRequest> types;
  private final List<ModelClassifier.Traits> typeTraits;

  private RequestStream(String description, long[] arrivalNanos, int[] typeIndex,
      List<ClassifiedRequest> types, List<ModelClassifier.Traits> typeTraits) {
    this.description = description;
    this.arrivalNanos = arrivalNanos;
    this.typeIndex = typeIndex;
    this.types = types;
    this.typeTraits = typeTraits;
  }

  /**
   * Classifies {@code records} and scales their arrival times: the trace's time span is stretched or
   * squeezed so that the mean arrival rate is {@code ratePerSec}, then every inter-arrival time is
   * multiplied by {@code loadFactor} (Kamino's epsilon: 0.8 means 25% more load).
   */
  public static RequestStream of(String description, List<TraceRecord> records,
      ModelClassifier classifier, double ratePerSec, double loadFactor) {
    if (!(ratePerSec > 0) || Double.isInfinite(ratePerSec)) {
      throw new IllegalArgumentException("rate must be a positive number, was " + ratePerSec);
    }
    if (!(loadFactor > 0) || Double.isInfinite(loadFactor)) {
      throw new IllegalArgumentException("load factor must be a positive number, was " + loadFactor);
    }
    if (records.isEmpty()) {
      throw new IllegalArgumentException("the workload has no requests: " + description);
    }
    int n = records.size();
    double t0 = records.get(0).time();
    double span = records.get(n - 1).time() - t0;
    double scale = n > 1 && span > 0 ? (n - 1) / (span * ratePerSec) : 0;
    long[] arrivals = new long[n];
    int[] idx = new int[n];
    Map<ModelClassifier.Traits, Integer> index = new HashMap<>();
    List<ClassifiedRequest> types = new ArrayList<>();
    List<ModelClassifier.Traits> traits = new ArrayList<>();
    long last = 0;
    for (int i = 0; i < n; i++) {
      TraceRecord r = records.get(i);
      long t = Math.round((r.time() - t0) * scale * loadFactor * 1e9);
      last = Math.max(last, t);
      arrivals[i] = last;
      ModelClassifier.Traits tr = classifier.traits(r);
      Integer k = index.get(tr);
      if (k == null) {
        k = types.size();
        index.put(tr, k);
        types.add(classifier.classify(tr));
        traits.add(tr);
      }
      idx[i] = k;
    }
    return new RequestStream(description, arrivals, idx, List.copyOf(types), List.copyOf(traits));
  }

  /** What the stream was made from. */
  public String description() {
    return description;
  }

  /** Number of requests. */
  public int size() {
    return arrivalNanos.length;
  }

  /** Number of distinct request types. */
  public int typeCount() {
    return types.size();
  }

  /** Arrival time of request {@code i}, non-decreasing in {@code i}. */
  public long arrivalNanos(int i) {
    return arrivalNanos[i];
  }

  /** Type index of request {@code i}. */
  public int typeIndex(int i) {
    return typeIndex[i];
  }

  /** The classified form of type {@code t} (id 0). */
  public ClassifiedRequest type(int t) {
    return types.get(t);
  }

  /** The traits of type {@code t}. */
  public ModelClassifier.Traits traits(int t) {
    return typeTraits.get(t);
  }

  /** Seconds from the first to the last arrival. */
  public double spanSeconds() {
    return (arrivalNanos[arrivalNanos.length - 1] - arrivalNanos[0]) / 1e9;
  }
}
