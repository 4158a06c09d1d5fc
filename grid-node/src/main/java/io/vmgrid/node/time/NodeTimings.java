package io.vmgrid.node.time;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Objects;

/**
 * A member's timings ({@link Timing}): the defaults, with any value its settings change. Immutable
 * and validated: every value is positive and at most a day, and the second departure sweep comes
 * after the first. Installed in the member's Hazelcast config ({@link #install}) beside its clock,
 * and read by every service there ({@link #of}); without one, the defaults.
 */
public final class NodeTimings {
  /** The user-context key a member's timings are installed under. */
  public static final String CONTEXT_KEY = "vmgrid.timings";
  private static final Duration LONGEST = Duration.ofDays(1);
  private static final NodeTimings DEFAULTS = new NodeTimings(new EnumMap<>(Timing.class));

  /** Every timing's value. */
  private final EnumMap<Timing, Duration> values;

  private NodeTimings(EnumMap<Timing, Duration> changed) {
    EnumMap<Timing, Duration> all = new EnumMap<>(Timing.class);
    for (Timing t : Timing.values()) {
      Duration d = changed.getOrDefault(t, t.defaultValue());
      if (d.isNegative() || d.isZero() || d.compareTo(LONGEST) > 0) {
        throw new IllegalArgumentException("timings." + t.key()
            + ": must be more than 0 and at most 1 day (was " + d + ")");
      }
      all.put(t, d);
    }
    this.values = all;
    Duration first = get(Timing.DEPARTURE_SWEEP_FIRST);
    Duration second = get(Timing.DEPARTURE_SWEEP_SECOND);
    if (second.compareTo(first) <= 0) {
      throw new IllegalArgumentException("timings." + Timing.DEPARTURE_SWEEP_SECOND.key()
          + ": must be later than " + Timing.DEPARTURE_SWEEP_FIRST.key() + " (was " + second
          + " against " + first + ")");
    }
  }

  /** Every timing at its default. */
  public static NodeTimings defaults() {
    return DEFAULTS;
  }

  /** These timings with {@code t} set to {@code value}; throws naming it if it is out of range. */
  public NodeTimings with(Timing t, Duration value) {
    EnumMap<Timing, Duration> changed = new EnumMap<>(values);
    changed.put(t, value);
    return new NodeTimings(changed);
  }

  /** The value of {@code t}. */
  public Duration get(Timing t) {
    return Objects.requireNonNull(values.get(t), t.key());
  }

  /** The value of {@code t} in milliseconds. */
  public long millis(Timing t) {
    return get(t).toMillis();
  }

  /** The value of {@code t} in nanoseconds. */
  public long nanos(Timing t) {
    return get(t).toNanos();
  }

  /** The timings installed in {@code hz}'s user context, or the defaults. */
  public static NodeTimings of(HazelcastInstance hz) {
    return hz.getUserContext().get(CONTEXT_KEY) instanceof NodeTimings t ? t : DEFAULTS;
  }

  /** The timings installed in {@code config}'s user context, or the defaults. */
  public static NodeTimings of(Config config) {
    return config.getUserContext().get(CONTEXT_KEY) instanceof NodeTimings t ? t : DEFAULTS;
  }

  /** Makes {@code timings} those of the member {@code config} starts; returns {@code config}. */
  public static Config install(Config config, NodeTimings timings) {
    config.getUserContext().put(CONTEXT_KEY, timings);
    return config;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeTimings t && t.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("NodeTimings{");
    for (Timing t : Timing.values()) {
      Duration d = get(t);
      if (!d.equals(t.defaultValue())) {
        out.append(out.length() > 12 ? ", " : "").append(t.key()).append('=').append(d);
      }
    }
    return out.append(out.length() > 12 ? "}" : "defaults}").toString();
  }
}
