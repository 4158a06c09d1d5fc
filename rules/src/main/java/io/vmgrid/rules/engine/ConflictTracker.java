package io.vmgrid.rules.engine;

import java.util.ArrayDeque;

/**
 * Commit outcomes over a sliding time window, and the top-N0 size they imply:
 * {@code N0 = minN0 + ceil(rate * (maxN0 - minN0))}, where {@code rate} is conflicts over all
 * outcomes in the window (so N0 = minN0 when there were no recent conflicts).
 */
final class ConflictTracker {
  private static final int MAX_EVENTS = 65_536;

  private final EngineSettings settings;
  private final Ticker ticker;
  private final ArrayDeque<long[]> events = new ArrayDeque<>();
  private int conflicts;

  ConflictTracker(EngineSettings settings, Ticker ticker) {
    this.settings = settings;
    this.ticker = ticker;
  }

  void record(boolean conflict) {
    long now = ticker.read();
    expire(now);
    if (events.size() == MAX_EVENTS) {
      conflicts -= (int) events.removeFirst()[1];
    }
    events.addLast(new long[] {now, conflict ? 1 : 0});
    if (conflict) {
      conflicts++;
    }
  }

  int n0() {
    expire(ticker.read());
    if (conflicts == 0) {
      return settings.minN0();
    }
    double rate = conflicts / (double) events.size();
    int span = settings.maxN0() - settings.minN0();
    return Math.min(settings.maxN0(), settings.minN0() + (int) Math.ceil(rate * span));
  }

  private void expire(long now) {
    while (!events.isEmpty() && now - events.peekFirst()[0] > settings.conflictWindowNanos()) {
      conflicts -= (int) events.removeFirst()[1];
    }
  }
}
