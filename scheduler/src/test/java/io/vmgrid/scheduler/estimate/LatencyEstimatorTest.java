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
  void withAMemoryABurstFadesWhereACumulativeMeanKeepsIt() {
    LatencyEstimator cumulative = new LatencyEstimator(RULES, DEFAULTS);
    LatencyEstimator recent = new LatencyEstimator(RULES, DEFAULTS, 100);
    for (LatencyEstimator e : List.of(cumulative, recent)) {
      for (int i = 0; i < 1_000; i++) { // a burst: every request waits on a slow commit
        e.recordTopHit(10_000_000);
        e.recordRuleMiss(0, 10_000_000);
      }
      for (int i = 0; i < 1_000; i++) { // then the steady state
        e.recordTopHit(1_000_000);
        e.recordRuleMiss(0, 1_000_000);
      }
    }
    assertThat(cumulative.topHitNanos()).isEqualTo(5_500_000);
    assertThat(recent.topHitNanos()).isBetween(1_000_000L, 1_001_000L);
    assertThat(recent.ruleMissNanos(0)).isBetween(1_000_000L, 1_001_000L);
    assertThat(recent.counts()).containsExactly(2_000, 0, 2_000);

    // the same through the batches a grid folds in: the past counts as at most 100 measurements
    LatencyEstimator folded = new LatencyEstimator(RULES, DEFAULTS, 100);
    LatencyEstimator cumulativeFolded = new LatencyEstimator(RULES, DEFAULTS);
    LatencyEstimator burst = new LatencyEstimator(RULES, DEFAULTS);
    for (int i = 0; i < 5_000; i++) {
      burst.recordTopHit(10_000_000);
    }
    LatencyEstimator quiet = new LatencyEstimator(RULES, DEFAULTS);
    for (int i = 0; i < 50; i++) {
      quiet.recordTopHit(1_000_000);
    }
    for (LatencyEstimator e : List.of(folded, cumulativeFolded)) {
      e.merge(burst);
      e.merge(quiet);
    }
    assertThat(folded.topHitNanos()).isEqualTo(7_000_000); // (10 x 100 + 1 x 50) / 150 ms
    assertThat(cumulativeFolded.topHitNanos()).isEqualTo(9_910_891); // (10 x 5000 + 50) / 5050
    assertThat(folded.copy().memory()).isEqualTo(100);
  }

  @Test
  void theCommitIsLearnedApartAndLatCacheAddsItWhateverTheLookup() throws IOException {
    LatencyEstimator e = new LatencyEstimator(RULES, DEFAULTS, 100);
    assertThat(e.commitNanos()).as("none measured: the simulator's agents only evaluate").isZero();
    e.recordTopHit(20_000);
    e.recordCommit(1_500_000);
    e.recordCommit(2_500_000);
    assertThat(e.commitNanos()).isEqualTo(2_000_000);
    LatencyEstimator reloaded = LatencyEstimator.fromJson(e.toJson(), RULES, DEFAULTS, 100);
    assertThat(reloaded.commitNanos()).isEqualTo(2_000_000);
    LatencyEstimator older = LatencyEstimator.fromJson(
        e.toJson().replaceAll("\"commit\"\\s*:\\s*\\{[^}]*\\}", "\"ignored\" : 1"),
        RULES, DEFAULTS);
    assertThat(older.commitNanos()).as("a file without it (and with a field unknown here)").isZero();
    assertThat(older.topHitNanos()).isEqualTo(20_000);

    io.vmgrid.scheduler.api.ClassifiedRequest r =
        new io.vmgrid.scheduler.api.ClassifiedRequest(0, 7, new int[] {0, 1}, new long[] {11, 12});
    io.vmgrid.scheduler.jet.AgentLoad cached = new io.vmgrid.scheduler.jet.AgentLoad("a", "m", 1,
        0, 0, 0, 0, 0, new long[] {7}, new long[0], new long[0], new long[0]);
    io.vmgrid.scheduler.jet.AgentLoad cold = io.vmgrid.scheduler.jet.AgentLoad.idle("b", "m");
    assertThat(io.vmgrid.scheduler.api.LatCache.processingNanos(r, cached, e, false))
        .isEqualTo(20_000 + 2_000_000);
    assertThat(io.vmgrid.scheduler.api.LatCache.processingNanos(r, cold, e, false))
        .isEqualTo(1000 + 1000 + 2_000_000); // two rule misses at the default, and the commit
  }

  @Test
  void aReloadedEstimatorTakesTheMemoryItIsReadWith() throws IOException {
    LatencyEstimator e = new LatencyEstimator(RULES, DEFAULTS);
    for (int i = 0; i < 1_000; i++) {
      e.recordTopHit(10_000_000);
    }
    LatencyEstimator reloaded = LatencyEstimator.fromJson(e.toJson(), RULES, DEFAULTS, 10);
    assertThat(reloaded.memory()).isEqualTo(10);
    assertThat(reloaded.topHitNanos()).isEqualTo(10_000_000);
    for (int i = 0; i < 200; i++) {
      reloaded.recordTopHit(1_000_000);
    }
    assertThat(reloaded.topHitNanos()).as("a saved burst fades as well").isLessThan(1_001_000);
    assertThat(LatencyEstimator.fromJson(e.toJson(), RULES, DEFAULTS).memory())
        .isEqualTo(LatencyEstimator.CUMULATIVE);
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
