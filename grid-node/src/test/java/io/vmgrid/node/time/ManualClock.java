package io.vmgrid.node.time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock tests move by hand ({@link #advance}); install it on members with
 * {@link NodeClock#install}. Its wall clock starts at {@code 2026-01-01T00:00:00Z} and moves with
 * its monotonic clock. {@link #sleep} waits the real time too, so a bounded wait for a real event
 * (a listener, a migration) is never shorter than it would be on the system clock.
 */
public final class ManualClock implements NodeClock {
  /** Where the wall clock starts: 2026-01-01T00:00:00Z. */
  public static final long START_MILLIS = 1_767_225_600_000L;

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final long startNanos = nanos.get();

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public long millis() {
    return START_MILLIS + (nanos.get() - startNanos) / 1_000_000L;
  }

  @Override
  public void sleep(long millis) throws InterruptedException {
    Thread.sleep(millis);
    advance(Duration.ofMillis(millis));
  }

  /** Moves both clocks forward by {@code d}. */
  public void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("d: a clock does not go back (was " + d + ")");
    }
    nanos.addAndGet(d.toNanos());
  }

  @Override
  public String toString() {
    return "manual clock at " + millis() + " ms";
  }
}
