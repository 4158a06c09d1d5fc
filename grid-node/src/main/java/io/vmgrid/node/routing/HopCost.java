package io.vmgrid.node.routing;

import java.util.concurrent.TimeUnit;

/**
 * What reaching an agent on another member costs, as the router assumes it: a moving average of
 * the forwards' round trips less the other member's time on them. The cost is learned only from
 * forwards, so a cost learned while the members were saturated would stop every later forward and
 * never be corrected (bench e2e at 200/s: 4.8 ms believed after its full-speed warm-up, no forward
 * since). Above the default, its excess therefore shrinks for each second without a forward, so
 * that Kamino tries a forward again when one would pay, and learns the cost as it is now.
 * Thread-safe.
 */
final class HopCost {
  /** The cost assumed before any forward was measured. */
  static final long DEFAULT_NANOS = TimeUnit.MICROSECONDS.toNanos(400);
  /** Weight of the newest measurement in the moving average. */
  static final double WEIGHT = 0.05;
  /** Share of the excess over the default kept per second without a forward. */
  static final double DECAY_PER_SECOND = 0.8;
  private static final long SECOND = 1_000_000_000L;

  private double nanos = DEFAULT_NANOS;
  /** When the cost was last learned or decayed ({@code NodeClock.nanoTime}). */
  private long atNanos;

  HopCost(long nowNanos) {
    this.atNanos = nowNanos;
  }

  /** Learns one forward's hop, measured at {@code nowNanos}. */
  synchronized void learn(long hopNanos, long nowNanos) {
    nanos += WEIGHT * (hopNanos - nanos);
    atNanos = nowNanos;
  }

  /** The cost at {@code nowNanos}, decayed for each whole second since the last forward. */
  synchronized long at(long nowNanos) {
    long seconds = (nowNanos - atNanos) / SECOND;
    if (seconds > 0) {
      if (nanos > DEFAULT_NANOS) {
        nanos = DEFAULT_NANOS
            + (nanos - DEFAULT_NANOS) * Math.pow(DECAY_PER_SECOND, (double) seconds);
      }
      atNanos += seconds * SECOND;
    }
    return Math.round(nanos);
  }
}
