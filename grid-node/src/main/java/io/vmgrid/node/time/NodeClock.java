package io.vmgrid.node.time;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.vmgrid.rules.engine.Ticker;

/**
 * The time a member's services read: monotonic nanoseconds for durations and deadlines, wall-clock
 * milliseconds for what is stored or compared across members (release marks, eviction times,
 * registrations), and waiting. The rules module's {@link Ticker} is its monotonic part.
 *
 * <p>A member's clock is installed in its Hazelcast config's user context ({@link #install}) and
 * found there by every service and entry processor ({@link #of}); without one, the system clock.
 * {@link #system()} is the only place grid-node reads the JVM's clocks or sleeps.
 */
public interface NodeClock extends Ticker {
  /** The user-context key the member's clock is installed under. */
  String CONTEXT_KEY = "vmgrid.clock";

  /** Monotonic nanoseconds since an arbitrary origin; for durations and deadlines only. */
  long nanoTime();

  /** Wall-clock milliseconds since the epoch; for times stored or compared across members. */
  long millis();

  /** Waits {@code millis} milliseconds of this clock's time. */
  void sleep(long millis) throws InterruptedException;

  @Override
  default long read() {
    return nanoTime();
  }

  /** The JVM's clocks. */
  static NodeClock system() {
    return SystemClock.INSTANCE;
  }

  /** The clock installed in {@code hz}'s user context, or the system clock. */
  static NodeClock of(HazelcastInstance hz) {
    return hz.getUserContext().get(CONTEXT_KEY) instanceof NodeClock c ? c : system();
  }

  /** Makes {@code clock} the clock of the member {@code config} starts; returns {@code config}. */
  static Config install(Config config, NodeClock clock) {
    config.getUserContext().put(CONTEXT_KEY, clock);
    return config;
  }

  /** The system clock: the JVM's monotonic and wall clocks, and {@link Thread#sleep}. */
  final class SystemClock implements NodeClock {
    static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {}

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public long millis() {
      return System.currentTimeMillis();
    }

    @Override
    public void sleep(long millis) throws InterruptedException {
      Thread.sleep(millis);
    }

    @Override
    public String toString() {
      return "system clock";
    }
  }
}
