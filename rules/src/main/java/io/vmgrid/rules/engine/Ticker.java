package io.vmgrid.rules.engine;

/** A source of nanosecond time, injected so tests and simulations control the clock. */
@FunctionalInterface
public interface Ticker {

  /** Nanoseconds since an arbitrary origin; never decreases. */
  long read();

  /** The JVM's monotonic clock; for production wiring only, never inside domain logic. */
  static Ticker system() {
    return System::nanoTime;
  }
}
