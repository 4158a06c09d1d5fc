package io.vmgrid.node.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A member's timings: defaults in one place, validated changes, found where they were installed. */
class NodeTimingsTest {

  @Test
  void defaultsAreEachTimingsOwn() {
    NodeTimings d = NodeTimings.defaults();
    for (Timing t : Timing.values()) {
      assertThat(d.get(t)).as(t.key()).isEqualTo(t.defaultValue()).isPositive();
    }
    assertThat(d.millis(Timing.CONFIRM_WAIT)).isEqualTo(15_000);
    assertThat(d.nanos(Timing.INDICATOR_PUBLISH)).isEqualTo(50_000_000L);
    assertThat(d).hasToString("NodeTimings{defaults}");
  }

  @Test
  void aChangeReplacesOneValueAndKeepsTheRest() {
    NodeTimings t = NodeTimings.defaults().with(Timing.RECONCILE_PERIOD, Duration.ofSeconds(5));
    assertThat(t.get(Timing.RECONCILE_PERIOD)).isEqualTo(Duration.ofSeconds(5));
    assertThat(t.get(Timing.CONFIRM_WAIT)).isEqualTo(Timing.CONFIRM_WAIT.defaultValue());
    assertThat(NodeTimings.defaults().get(Timing.RECONCILE_PERIOD)).as("the defaults unchanged")
        .isEqualTo(Duration.ofSeconds(60));
    assertThat(t).hasToString("NodeTimings{reconcile-period=PT5S}").isNotEqualTo(NodeTimings.defaults())
        .isEqualTo(NodeTimings.defaults().with(Timing.RECONCILE_PERIOD, Duration.ofSeconds(5)));
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheTiming() {
    assertThatThrownBy(() -> NodeTimings.defaults().with(Timing.AGENT_WAIT, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timings.agent-wait: must be more than 0 and at most 1 day (was PT0S)");
    assertThatThrownBy(() -> NodeTimings.defaults().with(Timing.MERGE_REPEAT, Duration.ofDays(2)))
        .hasMessageContaining("timings.merge-repeat");
    assertThatThrownBy(() -> NodeTimings.defaults()
        .with(Timing.DEPARTURE_SWEEP_SECOND, Duration.ofSeconds(5)))
        .hasMessageStartingWith("timings.departure-sweep-second: must be later than"
            + " departure-sweep-first");
  }

  @Test
  void aMembersTimingsAreThoseInstalledInItsConfig() {
    Config config = new Config();
    assertThat(NodeTimings.of(config)).isSameAs(NodeTimings.defaults());
    NodeTimings quick = NodeTimings.defaults().with(Timing.MERGE_REPEAT, Duration.ofMillis(500));
    assertThat(NodeTimings.of(NodeTimings.install(config, quick))).isSameAs(quick);
  }
}
