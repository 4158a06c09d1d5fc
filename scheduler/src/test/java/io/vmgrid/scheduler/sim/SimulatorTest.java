package io.vmgrid.scheduler.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmgrid.scheduler.policy.PolicyRegistry;
import java.util.List;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

class SimulatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String runJson(long seed) throws Exception {
    RequestStream s = SimFixtures.synthetic(20_000, seed, 1500);
    SimRunner.Outcome o = SimRunner.runModel(s, SimFixtures.settings(seed, 4),
        PolicyRegistry.names(), 1500, 1.0, null);
    return JSON.writeValueAsString(o.report());
  }

  @Test
  void sameSeedGivesIdenticalJsonAndAnotherSeedDoesNot() throws Exception {
    String a = runJson(7);
    assertThat(runJson(7)).isEqualTo(a);
    assertThat(runJson(8)).isNotEqualTo(a);
  }

  @Test
  void endToEndEveryPolicyCompletesEveryRequestWithSaneFigures() {
    RequestStream s = SimFixtures.synthetic(10_000, 3, 1500);
    SimRunner.Outcome o = SimRunner.runModel(s, SimFixtures.settings(3, 4), PolicyRegistry.names(),
        1500, 1.0, null);
    SimReport r = o.report();
    assertThat(r.mode()).isEqualTo("model");
    assertThat(r.policies()).extracting(PolicyResult::name).containsExactlyElementsOf(PolicyRegistry.names());
    for (PolicyResult p : r.policies()) {
      assertThat(p.requests()).isEqualTo(10_000);
      assertThat(p.meanMs()).isPositive();
      assertThat(p.p50Ms()).isLessThanOrEqualTo(p.p90Ms());
      assertThat(p.p90Ms()).isLessThanOrEqualTo(p.p99Ms());
      assertThat(p.topHitRatio()).isBetween(0.0, 1.0);
      assertThat(p.ruleHitRatio()).isBetween(0.0, 1.0);
      assertThat(p.cacheBytesMean()).isBetween(1.0, 4.0 * 512 * 1024 * 1.1);
      assertThat(p.throughputPerSec()).isPositive();
      boolean kamino = p.name().startsWith("kamino");
      assertThat(p.bestAgentChosenRatio() != null).isEqualTo(kamino);
      assertThat(p.eventPredictionAccuracy() != null).isEqualTo(kamino);
    }
    PolicyResult hashWs = r.policies().get(PolicyRegistry.names().indexOf("hash-ws"));
    assertThat(hashWs.steals()).isPositive();
  }

  @Test
  void kaminoBeatsRandomOnTopLevelHitsWhenCachesAreTight() {
    RequestStream s = SimFixtures.synthetic(20_000, 11, 1000);
    SimRunner.Outcome o = SimRunner.runModel(s, SimFixtures.settings(11, 4),
        List.of("kamino-request", "random"), 1000, 1.0, null);
    PolicyResult kamino = o.report().policies().get(0);
    PolicyResult random = o.report().policies().get(1);
    assertThat(kamino.topHitRatio()).isGreaterThan(random.topHitRatio());
  }

  @Test
  void latencyIsAtLeastTheServiceTimeAndSingleAgentFifoIsWorkConserving() {
    RequestStream s = SimFixtures.synthetic(2_000, 5, 50);
    SimRunner.Outcome o = SimRunner.runModel(s, SimFixtures.settings(5, 1),
        List.of("jsq", "round-robin", "kamino-rule", "shared-queue"), 50, 1.0, null);
    // With one agent every policy is the same FIFO: identical latencies.
    List<PolicyResult> ps = o.report().policies();
    for (PolicyResult p : ps) {
      assertThat(p.meanMs()).isEqualTo(ps.get(0).meanMs());
      assertThat(p.topHitRatio()).isEqualTo(ps.get(0).topHitRatio());
    }
  }

  static boolean realTracePresent() {
    return AzureSampleReaderTest.realTracePresent();
  }

  @Test
  @EnabledIf("realTracePresent")
  void realBernoulliSampleRunsAndKaminoHitsMoreThanTheSharedQueue() throws Exception {
    Path trace = Workloads.resolve(Workloads.DEFAULT_TRACE);
    RequestStream s = SimRunner.stream(new AzureSampleReader(trace), 42, 400, 1.0);
    SimRunner.Outcome o = SimRunner.runModel(s, SimSettings.defaults(42),
        List.of("kamino-request", "shared-queue"), 400, 1.0, null);
    PolicyResult kamino = o.report().policies().get(0);
    PolicyResult shared = o.report().policies().get(1);
    assertThat(kamino.requests()).isEqualTo(s.size()).isGreaterThan(40_000);
    assertThat(kamino.topHitRatio()).isGreaterThan(shared.topHitRatio());
    assertThat(kamino.cacheBytesMean()).isLessThan(shared.cacheBytesMean());
  }
}
