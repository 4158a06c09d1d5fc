package io.vmgrid.node.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The hop's cost follows the forwards, and a cost learned in a bad moment fades without them. */
class HopCostTest {
  private static final long S = 1_000_000_000L;

  @Test
  void aCostLearnedInABadMomentFadesTowardsTheDefaultWithoutForwards() {
    HopCost hop = new HopCost(0);
    assertThat(hop.at(0)).isEqualTo(HopCost.DEFAULT_NANOS);
    for (int i = 0; i < 200; i++) { // forwards while the members are saturated: 5 ms each
      hop.learn(5_000_000, 0);
    }
    assertThat(hop.at(0)).isBetween(4_900_000L, 5_000_000L);
    assertThat(hop.at(S / 2)).as("within the second: unchanged").isBetween(4_900_000L, 5_000_000L);
    long after10 = hop.at(10 * S);
    // 0.4 + 4.6 x 0.8^10 ms
    assertThat(after10).isBetween(880_000L, 900_000L);
    long after30 = hop.at(30 * S);
    assertThat(after30).isBetween(400_000L, 410_000L);
    // forwards teach the cost again, and restart the clock
    for (int i = 0; i < 100; i++) {
      hop.learn(300_000, 30 * S);
    }
    long learned = hop.at(30 * S);
    assertThat(learned).isBetween(300_000L, 310_000L);
    assertThat(hop.at(40 * S)).as("below the default: nothing to fade").isEqualTo(learned);
  }
}
