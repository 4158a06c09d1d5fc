package io.vmgrid.scheduler.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyEstimatorTest {
  private static final List<String> RULES = List.of("cores-fit", "memory-fit");
  private static final EstimatorDefaults DEFAULTS = new EstimatorDefaults(100, 10, 1000);

  @TempDir Path dir;

  @Test
  void usesDefaultsBeforeTheFirstMeasurementThenRunningAverages() {
    LatencyEstimator e = new LatencyEstimator(RULES, DEFAULTS);
    assertThat(e.topHitNanos()).isEqualTo(100);
    assertThat(e.ruleHitNanos(0)).isEqualTo(10);
    assertThat(e.ruleMissNanos(1)).isEqualTo(1000);
    e.recordTopHit(200);
    e.recordTopHit(400);
    assertThat(e.topHitNanos()).isEqualTo(300);
    e.recordRuleMiss(0, 3000);
    // rule 0 has its own average; rule 1 falls back to the global rule-miss average
    assertThat(e.ruleMissNanos(0)).isEqualTo(3000);
    assertThat(e.ruleMissNanos(1)).isEqualTo(3000);
    e.recordRuleMiss(1, 5000);
    assertThat(e.ruleMissNanos(0)).isEqualTo(3000);
    assertThat(e.ruleMissNanos(1)).isEqualTo(5000);
    assertThat(e.ruleHitNanos(1)).isEqualTo(10);
  }

  @Test
  void savesAndReloads() throws IOException {
    LatencyEstimator e = new LatencyEstimator(RULES, DEFAULTS);
    e.recordTopHit(250);
    e.recordRuleHit(1, 40);
    e.recordRuleMiss(0, 900);
    Path f = dir.resolve("sub/estimator.json");
    e.save(f);
    LatencyEstimator back = LatencyEstimator.load(f, List.of("memory-fit", "cores-fit", "new-rule"),
        DEFAULTS);
    assertThat(back.topHitNanos()).isEqualTo(250);
    assertThat(back.ruleHitNanos(0)).isEqualTo(40); // memory-fit is id 0 now
    assertThat(back.ruleMissNanos(1)).isEqualTo(900); // cores-fit
    assertThat(back.ruleMissNanos(2)).isEqualTo(900); // no own figure: the global average
    assertThat(back.counts()).containsExactly(1, 1, 1);
  }

  @Test
  void copiesAreIndependent() {
    LatencyEstimator e = new LatencyEstimator(RULES, DEFAULTS);
    LatencyEstimator c = e.copy();
    c.recordTopHit(5);
    assertThat(e.topHitNanos()).isEqualTo(100);
    assertThat(c.topHitNanos()).isEqualTo(5);
  }

  @Test
  void aBrokenFileIsAClearError() throws IOException {
    Path f = dir.resolve("bad.json");
    Files.writeString(f, "{not json");
    assertThatThrownBy(() -> LatencyEstimator.load(f, RULES, DEFAULTS))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot read latency estimator file")
        .hasMessageContaining("bad.json");
  }
}
