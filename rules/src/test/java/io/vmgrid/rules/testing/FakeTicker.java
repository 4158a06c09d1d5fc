package io.vmgrid.rules.testing;

import io.vmgrid.rules.engine.Ticker;

/** A ticker tests advance by hand. */
public final class FakeTicker implements Ticker {
  private long nanos;

  @Override
  public long read() {
    return nanos;
  }

  /** Advances the clock. */
  public void advance(long by) {
    nanos += by;
  }
}
