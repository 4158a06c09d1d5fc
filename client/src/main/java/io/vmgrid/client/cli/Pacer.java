package io.vmgrid.client.cli;

import io.vmgrid.rules.engine.Ticker;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * Open-loop pacing of a replay: the {@code i}-th send is due {@code i / rate} seconds after the
 * first, whatever the earlier sends cost. A send that falls behind (a slow submit, a pause) is
 * followed by the overdue ones at once, so the offered load keeps its schedule instead of
 * stretching with the latency it measures. Rate 0 sends as fast as the caller can.
 */
final class Pacer {
  private final Ticker clock;
  private final LongConsumer park;
  private final double rate;
  private final long start;
  private long sent;

  /** Paces at {@code rate} per second on the JVM's clock, parking the sending thread. */
  Pacer(double rate) {
    this(rate, Ticker.system(), LockSupport::parkNanos);
  }

  /**
   * Paces at {@code rate} per second from now on {@code clock}; {@code park} waits about the
   * nanoseconds given (it may return early: the pacer checks the clock again).
   */
  Pacer(double rate, Ticker clock, LongConsumer park) {
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate: must be a number >= 0 (was " + rate + ")");
    }
    this.clock = clock;
    this.park = park;
    this.rate = rate;
    this.start = clock.read();
  }

  /** Waits until the next send is due, and counts it as sent. */
  void awaitNext() {
    if (rate > 0) {
      long due = start + (long) (sent * 1e9 / rate);
      for (long wait; (wait = due - clock.read()) > 0; ) {
        park.accept(wait);
      }
    }
    sent++;
  }

  /** Seconds since the pacer started, on its clock. */
  double elapsedSeconds() {
    return (clock.read() - start) / 1e9;
  }
}
