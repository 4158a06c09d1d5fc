package io.vmgrid.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.test.HazelcastTestSupport;
import com.hazelcast.test.TestHazelcastInstanceFactory;
import io.vmgrid.node.time.ManualClock;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The safety gauge's answer is kept while nothing that could change it happens, and checked again
 * when a member joins; an unsafe answer is never kept.
 */
class LocalSafetyTest {
  private final TestHazelcastInstanceFactory factory = new TestHazelcastInstanceFactory(3);

  @AfterEach
  void stop() {
    factory.terminateAll();
  }

  private static Config config() {
    Config c = new Config();
    c.addMapConfig(new MapConfig("data").setBackupCount(2));
    return c;
  }

  @Test
  void aSafeAnswerIsKeptUntilAMemberJoinsAndThenCheckedAgain() {
    HazelcastInstance first = factory.newHazelcastInstance(config());
    HazelcastInstance second = factory.newHazelcastInstance(config());
    IMap<Integer, Integer> data = first.getMap("data");
    for (int i = 0; i < 1_000; i++) {
      data.set(i, i);
    }
    HazelcastTestSupport.waitAllForSafeState(first, second);
    AtomicInteger real = new AtomicInteger();
    LocalSafety safety = new LocalSafety(first,
        () -> {
          real.incrementAndGet();
          return first.getPartitionService().isLocalMemberSafe();
        }, NodeTimings.defaults().millis(Timing.SAFETY_KEPT));

    // migration events may still arrive after the safe state: eventually a reading is kept
    HazelcastTestSupport.assertTrueEventually(() -> assertKept(safety, real, 20));
    int quiet = real.get();
    assertThat(quiet).as("checks before the readings were kept").isPositive();

    HazelcastInstance third = factory.newHazelcastInstance(config());
    HazelcastTestSupport.waitAllForSafeState(first, second, third);
    HazelcastTestSupport.assertTrueEventually(() -> {
      assertThat(safety.safe()).isTrue();
      assertThat(real.get()).as("checked again after a member joined").isGreaterThan(quiet);
    });
    HazelcastTestSupport.assertTrueEventually(() -> assertKept(safety, real, 20));
  }

  /** A reading, then {@code readings} more that run no check. */
  private static void assertKept(LocalSafety safety, AtomicInteger real, int readings) {
    assertThat(safety.safe()).isTrue();
    int after = real.get();
    for (int i = 0; i < readings; i++) {
      assertThat(safety.safe()).isTrue();
    }
    assertThat(real.get()).as("checks for %d readings of a quiet member", readings)
        .isEqualTo(after);
  }

  @Test
  void anUnsafeAnswerIsCheckedAgainOnEveryReadingAndAKeptAnswerAgesOut() {
    HazelcastInstance member = factory.newHazelcastInstance(config());
    AtomicBoolean answer = new AtomicBoolean(false);
    AtomicInteger real = new AtomicInteger();
    LocalSafety unsafe = new LocalSafety(member, () -> {
      real.incrementAndGet();
      return answer.get();
    }, NodeTimings.defaults().millis(Timing.SAFETY_KEPT));
    assertThat(unsafe.safe()).isFalse();
    assertThat(unsafe.safe()).isFalse();
    assertThat(real.get()).isEqualTo(2);
    answer.set(true);
    assertThat(unsafe.safe()).isTrue();
    assertThat(unsafe.safe()).isTrue();
    assertThat(real.get()).as("safe once, then kept").isEqualTo(3);

    AtomicInteger fresh = new AtomicInteger();
    LocalSafety noAge = new LocalSafety(member, () -> {
      fresh.incrementAndGet();
      return true;
    }, 0);
    noAge.safe();
    noAge.safe();
    assertThat(fresh.get()).as("with no age allowed every reading checks").isEqualTo(2);
  }

  @Test
  void aKeptAnswerLastsItsMaximumAgeOnTheMembersClock() {
    ManualClock clock = new ManualClock();
    HazelcastInstance member = factory.newHazelcastInstance(NodeClock.install(config(), clock));
    AtomicInteger real = new AtomicInteger();
    LocalSafety safety = new LocalSafety(member, () -> {
      real.incrementAndGet();
      return true;
    }, 1_000);
    assertThat(safety.safe()).isTrue();
    clock.advance(Duration.ofMillis(999));
    assertThat(safety.safe()).isTrue();
    assertThat(real.get()).as("kept for 999 ms").isEqualTo(1);
    clock.advance(Duration.ofMillis(2));
    assertThat(safety.safe()).isTrue();
    assertThat(real.get()).as("checked again after 1,001 ms").isEqualTo(2);
    assertThat(safety.safe()).isTrue();
    assertThat(real.get()).as("and kept again").isEqualTo(2);
  }
}
