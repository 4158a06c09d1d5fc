package io.vmgrid.scheduler.sim;

import io.vmgrid.scheduler.api.ClassifiedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * The request stream every policy replays: arrival times (scaled to a target rate and multiplied by
 * the load factor) and, per request, an index into a table of distinct request types.
 */
public final class RequestStream {
  private final String description;
  private final long[] arrivalNanos;
  private final int[] typeIndex;
  private final List<ClassifiedRequest> types;
  private final ModelClassifier.@Nullable Traits[] typeTraits;
  private final double timeScale;

  private RequestStream(String description, long[] arrivalNanos, int[] typeIndex,
      List<ClassifiedRequest> types, ModelClassifier.@Nullable Traits[] typeTraits,
      double timeScale) {
    this.description = description;
    this.arrivalNanos = arrivalNanos;
    this.typeIndex = typeIndex;
    this.types = types;
    this.typeTraits = typeTraits;
    this.timeScale = timeScale;
  }

  /**
   * Classifies {@code records} and scales their arrival times: the trace's time span is stretched or
   * squeezed so that the mean arrival rate is {@code ratePerSec}, then every inter-arrival time is
   * multiplied by {@code loadFactor} (Kamino's epsilon: 0.8 means 25% more load).
   */
  public static RequestStream of(String description, List<TraceRecord> records,
      ModelClassifier classifier, double ratePerSec, double loadFactor) {
    List<ModelClassifier.Traits> traits = new ArrayList<>(records.size());
    for (TraceRecord r : records) {
      traits.add(classifier.traits(r));
    }
    Map<ModelClassifier.Traits, ClassifiedRequest> classes = new HashMap<>();
    RequestStream s = classified(description, records, traits::get,
        tr -> classes.computeIfAbsent(tr, classifier::classify), ratePerSec, loadFactor);
    for (int i = 0; i < records.size(); i++) {
      s.typeTraits[s.typeIndex[i]] = traits.get(i);
    }
    return s;
  }

  /**
   * A stream whose requests are classified by the caller: request {@code i}'s type identity is
   * {@code typeOf.apply(i)} (equal identities are one request type), classified once per type by
   * {@code classify}. Arrival times are scaled as in {@link #of}.
   *
   * @param <K> the type identity, with value equality
   */
  public static <K> RequestStream classified(String description, List<TraceRecord> records,
      IntFunction<K> typeOf, Function<K, ClassifiedRequest> classify,
      double ratePerSec, double loadFactor) {
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
    Map<K, Integer> index = new HashMap<>();
    List<ClassifiedRequest> types = new ArrayList<>();
    long last = 0;
    for (int i = 0; i < n; i++) {
      TraceRecord r = records.get(i);
      long t = Math.round((r.time() - t0) * scale * loadFactor * 1e9);
      last = Math.max(last, t);
      arrivals[i] = last;
      K key = typeOf.apply(i);
      Integer k = index.get(key);
      if (k == null) {
        k = types.size();
        index.put(key, k);
        types.add(classify.apply(key));
      }
      idx[i] = k;
    }
    return new RequestStream(description, arrivals, idx, List.copyOf(types),
        new ModelClassifier.Traits[types.size()], scale * loadFactor);
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

  /** The model-mode traits of type {@code t}; null in a stream classified by the rules module. */
  public ModelClassifier.@Nullable Traits traits(int t) {
    return typeTraits[t];
  }

  /**
   * Simulated seconds per second of the workload's own timeline (the arrival scaling times the load
   * factor); VM lifetimes are scaled by it too.
   */
  public double timeScale() {
    return timeScale;
  }

  /** Seconds from the first to the last arrival. */
  public double spanSeconds() {
    return (arrivalNanos[arrivalNanos.length - 1] - arrivalNanos[0]) / 1e9;
  }
}
