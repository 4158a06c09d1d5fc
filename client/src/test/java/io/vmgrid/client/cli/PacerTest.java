package io.vmgrid.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Pacer} on a manual clock: parking advances it, so no test time passes. */
class PacerTest {
  /** A clock that moves only when the pacer parks or the test says so. */
  private static final class ManualClock {
    long now = 1_000_000_000L; // any origin
    final List<Long> parks = new ArrayList<>();

    void park(long nanos) {
      parks.add(nanos);
      now += nanos;
    }
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  @Test
  void sendsAreDueAtTheirScheduleFromTheFirst() {
    ManualClock clock = new ManualClock();
    Pacer pacer = new Pacer(100, () -> clock.now, clock::park); // one every 10 ms
    long start = clock.now;
    List<Long> sentAt = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pacer.awaitNext();
      sentAt.add(ms(clock.now - start));
    }
    assertThat(sentAt).containsExactly(0L, 10L, 20L, 30L, 40L);
    assertThat(pacer.elapsedSeconds()).isEqualTo(0.04);
  }

  @Test
  void aSendThatFallsBehindIsFollowedByTheOverdueOnesAtOnce() {
    ManualClock clock = new ManualClock();
    Pacer pacer = new Pacer(100, () -> clock.now, clock::park);
    long start = clock.now;
    pacer.awaitNext(); // due at 0
    clock.now += TimeUnit.MILLISECONDS.toNanos(35); // the first submit took 35 ms
    List<Long> sentAt = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      pacer.awaitNext();
      sentAt.add(ms(clock.now - start));
    }
    // due at 10, 20 and 30 ms: all overdue, sent at 35; then 40 ms, on schedule again
    assertThat(sentAt).containsExactly(35L, 35L, 35L, 40L);
    assertThat(clock.parks).as("parked only for the one not yet due").hasSize(1);
  }

  @Test
  void aParkThatReturnsEarlyIsParkedAgainUntilTheSendIsDue() {
    ManualClock clock = new ManualClock();
    List<Long> waits = new ArrayList<>();
    Pacer pacer = new Pacer(10, () -> clock.now, nanos -> {
      waits.add(nanos);
      clock.now += Math.max(1, nanos / 2); // a spurious wake-up halfway
    });
    long start = clock.now;
    pacer.awaitNext();
    pacer.awaitNext();
    assertThat(clock.now - start).as("never before its time").isGreaterThanOrEqualTo(100_000_000L);
    assertThat(waits).hasSizeGreaterThan(1);
  }

  @Test
  void rateZeroNeverWaitsAndABadRateIsNamed() {
    ManualClock clock = new ManualClock();
    Pacer pacer = new Pacer(0, () -> clock.now, clock::park);
    for (int i = 0; i < 1000; i++) {
      pacer.awaitNext();
    }
    assertThat(clock.parks).isEmpty();
    assertThatThrownBy(() -> new Pacer(Double.NaN))
        .hasMessage("rate: must be a number >= 0 (was NaN)");
    assertThatThrownBy(() -> new Pacer(-1)).hasMessage("rate: must be a number >= 0 (was -1.0)");
  }
}
