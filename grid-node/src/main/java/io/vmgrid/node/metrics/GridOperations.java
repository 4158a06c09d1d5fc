package io.vmgrid.node.metrics;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceImpl;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.metrics.MetricDescriptor;
import com.hazelcast.internal.metrics.MetricsRegistry;
import com.hazelcast.internal.metrics.collectors.MetricsCollector;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vmgrid.node.time.NodeClock;
import org.jspecify.annotations.Nullable;

/**
 * Hazelcast's own counters of the grid work a member did, read live from its metrics registry:
 * invocations it started (the call-id sequence of its invocation registry: every operation it sent
 * or ran on behalf of a client, remote or local, backups not included), operations it executed
 * (on its partition and generic threads, backups included) and events it delivered to listeners.
 * Summed over members and divided by allocations, they say what one allocation costs the grid.
 *
 * <p>Uses Hazelcast's internal metrics API (5.x): the public alternative, JMX, refreshes only every
 * metrics collection period (5 s).
 */
public final class GridOperations {
  private GridOperations() {}

  /**
   * A member's counters at one instant.
   *
   * @param invocations invocations started on the member
   * @param operations operations the member executed (backups included)
   * @param events events the member delivered to listeners
   */
  public record Counts(long invocations, long operations, long events) {
    /** The counts since {@code before}. */
    public Counts minus(Counts before) {
      return new Counts(invocations - before.invocations, operations - before.operations,
          events - before.events);
    }

    /** The sum of both. */
    public Counts plus(Counts other) {
      return new Counts(invocations + other.invocations, operations + other.operations,
          events + other.events);
    }
  }

  /** The counters of member {@code hz} now; zeros if it is not a member of this JVM. */
  public static Counts read(HazelcastInstance hz) {
    MetricsRegistry registry = registry(hz);
    if (registry == null) {
      return new Counts(0, 0, 0);
    }
    long[] v = new long[3];
    registry.collect(new MetricsCollector() {
      @Override
      public void collectLong(MetricDescriptor d, long value) {
        if ("operation.invocations".equals(d.prefix()) && "lastCallId".equals(d.metric())) {
          v[0] = value;
        } else if ("operation".equals(d.prefix()) && "completedCount".equals(d.metric())) {
          v[1] = value;
        } else if ("event".equals(d.prefix()) && "eventsProcessed".equals(d.metric())) {
          v[2] = value;
        }
      }

      @Override
      public void collectDouble(MetricDescriptor d, double value) {}

      @Override
      public void collectException(MetricDescriptor d, Exception e) {}

      @Override
      public void collectNoValue(MetricDescriptor d) {}
    });
    return new Counts(v[0], v[1], v[2]);
  }

  private static @Nullable MetricsRegistry registry(HazelcastInstance hz) {
    HazelcastInstanceImpl impl = hz instanceof HazelcastInstanceProxy p ? p.getOriginal()
        : hz instanceof HazelcastInstanceImpl i ? i : null;
    return impl == null ? null : impl.node.getNodeEngine().getMetricsRegistry();
  }

  /**
   * Binds {@code vmgrid_grid_invocations_total}, {@code vmgrid_grid_operations_total} and
   * {@code vmgrid_grid_events_total} for member {@code hz}. Returns the object the counters read:
   * keep it referenced as long as they are exported (Micrometer holds it only weakly).
   */
  public static Object bind(MeterRegistry registry, HazelcastInstance hz) {
    Reader reader = new Reader(hz);
    FunctionCounter.builder("vmgrid_grid_invocations", reader, r -> r.now().invocations())
        .description("Invocations this member started (Hazelcast's call ids; backups excluded)")
        .register(registry);
    FunctionCounter.builder("vmgrid_grid_operations", reader, r -> r.now().operations())
        .description("Operations this member executed (backups included)")
        .register(registry);
    FunctionCounter.builder("vmgrid_grid_events", reader, r -> r.now().events())
        .description("Events this member delivered to listeners")
        .register(registry);
    return reader;
  }

  /** Reads once per scrape, not once per counter. */
  private static final class Reader {
    private final HazelcastInstance hz;
    private final NodeClock clock;
    private Counts last = new Counts(0, 0, 0);
    private long readAt;
    private boolean read;

    Reader(HazelcastInstance hz) {
      this.hz = hz;
      this.clock = NodeClock.of(hz);
    }

    synchronized Counts now() {
      if (!read || clock.nanoTime() - readAt > 100_000_000L) {
        if (hz.getLifecycleService().isRunning()) {
          last = read(hz);
        }
        readAt = clock.nanoTime();
        read = true;
      }
      return last;
    }
  }
}
