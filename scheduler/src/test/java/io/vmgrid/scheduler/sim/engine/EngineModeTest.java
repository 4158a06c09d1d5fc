package io.vmgrid.scheduler.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmgrid.rules.engine.CacheStats;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.scheduler.policy.PolicyRegistry;
import io.vmgrid.scheduler.sim.AzureSampleReader;
import io.vmgrid.scheduler.sim.PolicyResult;
import io.vmgrid.scheduler.sim.RequestStream;
import io.vmgrid.scheduler.sim.SimReport;
import io.vmgrid.scheduler.sim.SimRunner;
import io.vmgrid.scheduler.sim.SimSettings;
import io.vmgrid.scheduler.estimate.EstimatorDefaults;
import io.vmgrid.scheduler.estimate.LatencyEstimator;
import io.vmgrid.scheduler.sim.AgentBackend;
import io.vmgrid.scheduler.sim.ServiceOutcome;
import io.vmgrid.scheduler.sim.SimRequest;
import io.vmgrid.scheduler.sim.Simulator;
import io.vmgrid.scheduler.sim.TraceRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Engine mode end to end on a small inventory: completes, is deterministic, accounts consistently. */
class EngineModeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SERVERS = 300;
  private static final int REQUESTS = 400;
  private static final double RATE = 4_000;

  @TempDir Path dir;

  /** An Azure-format CSV: 20 tenants, 6 sizes, lifetimes of a few arrivals, two VMs running. */
  private Path trace(long seed) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<String> lines = new ArrayList<>();
    lines.add("vmId,tenantId,cores,ram,vmTypeId,starttime,endtime");
    lines.add("1,1,8.0,16.0,0,-1497.0,inf");
    lines.add("2,2,4.0,8.0,0,-3.5,0.001");
    double t = 0;
    for (int i = 0; i < REQUESTS; i++) {
      t += rnd.nextDouble() * 1e-4;
      int cores = 1 << rnd.nextInt(4);
      String end = rnd.nextInt(4) == 0 ? "inf" : Double.toString(t + rnd.nextDouble() * 2e-3);
      lines.add((100 + i) + "," + rnd.nextInt(20) + "," + cores + ".0," + (cores * 4) + ".0,"
          + (rnd.nextInt(5) == 0 ? 1 : 0) + "," + t + "," + end);
    }
    Path f = dir.resolve("trace-" + seed + ".csv");
    Files.write(f, lines);
    return f;
  }

  private static SimSettings settings(long seed) {
    return SimSettings.defaults(seed).withAgents(4).withCacheBytes(256 * 1024);
  }

  private SimRunner.Outcome run(long seed, List<String> policies) throws IOException {
    AzureSampleReader reader = new AzureSampleReader(trace(seed));
    EngineWorkload w = EngineWorkload.create(reader.read(), reader.initial(), RuleSet.defaults(),
        EngineModeSettings.DEFAULTS.withServers(SERVERS), null, seed);
    return SimRunner.runEngine(w, reader.description(), settings(seed),
        EngineModeSettings.DEFAULTS.withServers(SERVERS), policies, RATE, 1.0, null);
  }

  @Test
  void everyPolicyCompletesEveryRequestAndTheReportSaysEngine() throws IOException {
    SimReport r = run(5, PolicyRegistry.names()).report();
    assertThat(r.mode()).isEqualTo("engine");
    assertThat(r.engine()).isNotNull();
    assertThat(r.engine().servers()).isEqualTo(SERVERS);
    assertThat(r.engine().rules()).isEqualTo(RuleSet.defaults().rules().size());
    assertThat(r.engine().initialVms()).isEqualTo(2);
    assertThat(r.requests()).isEqualTo(REQUESTS);
    assertThat(r.policies()).extracting(PolicyResult::name)
        .containsExactlyElementsOf(PolicyRegistry.names());
    for (PolicyResult p : r.policies()) {
      assertThat(p.requests()).isEqualTo(REQUESTS);
      assertThat(p.meanMs()).isPositive();
      assertThat(p.p50Ms()).isLessThanOrEqualTo(p.p90Ms());
      assertThat(p.topHitRatio()).isBetween(0.0, 1.0);
      assertThat(p.ruleHitRatio()).isBetween(0.01, 1.0);
      assertThat(p.cacheBytesMean()).isPositive();
      assertThat(p.placementFailures()).isEqualTo(0L);
    }
  }

  @Test
  void whatAMissTeachesTheEstimatorAddsUpToItsWholeCost() throws IOException {
    AzureSampleReader reader = new AzureSampleReader(trace(4));
    EngineModeSettings es = EngineModeSettings.DEFAULTS.withServers(SERVERS);
    EngineWorkload w = EngineWorkload.create(reader.read(), reader.initial(), RuleSet.defaults(),
        es, null, 4);
    RequestStream stream = w.stream("t", RATE, 1.0);
    EngineBackendFactory f = new EngineBackendFactory(w, stream, es, 256 * 1024, 60_000_000_000L, 4);
    f.reset();
    AgentBackend agent = f.create(0);
    int t = stream.typeIndex(0);
    ServiceOutcome out = new ServiceOutcome(stream.type(t).ruleCount());
    agent.serve(new SimRequest(0, t, stream.type(t).withId(0), stream.traits(t)),
        stream.arrivalNanos(0), 0, out);

    assertThat(out.topHit()).as("an empty cache's first lookup").isFalse();
    assertThat(out.ruleCount()).isEqualTo(stream.type(t).ruleCount()).isPositive();
    long learned = 0;
    for (int i = 0; i < out.ruleCount(); i++) {
      learned += out.ruleNanos(i);
    }
    // the lookup and the entry build are in the shares, not only the rules' own evaluations
    // (each share is rounded to the nanosecond)
    assertThat(learned).isCloseTo(out.costNanos(), within((long) out.ruleCount()));
  }

  @Test
  void theEstimatorStartsFromTheEnginesOwnPricesAtTheInventorysSize() {
    EstimatorDefaults d = EngineCosts.DEFAULTS.estimatorDefaults(20_000);
    assertThat(d.topHitNanos()).isEqualTo(1_700);
    assertThat(d.ruleHitNanos()).isEqualTo(1_700);
    assertThat(d.ruleMissNanos()).isEqualTo(66_800);
    assertThat(EngineModeSettings.DEFAULTS.withServers(100_000).estimatorDefaults().ruleMissNanos())
        .isEqualTo(334_000);
    assertThatThrownBy(() -> EngineCosts.DEFAULTS.estimatorDefaults(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("servers");
  }

  @Test
  void sameSeedGivesIdenticalJsonAndAnotherSeedDoesNot() throws IOException {
    List<String> policies = List.of("kamino-request", "kamino-rule", "shared-queue", "hash-ws");
    String a = JSON.writeValueAsString(run(9, policies).report());
    assertThat(JSON.writeValueAsString(run(9, policies).report())).isEqualTo(a);
    assertThat(JSON.writeValueAsString(run(10, policies).report())).isNotEqualTo(a);
  }

  @Test
  void hitAndMissCountsAgreeWithTheAgentCachesAndPlacementsReachTheInventory() throws IOException {
    long seed = 3;
    AzureSampleReader reader = new AzureSampleReader(trace(seed));
    List<TraceRecord> records = reader.read();
    EngineModeSettings es = EngineModeSettings.DEFAULTS.withServers(SERVERS);
    EngineWorkload w = EngineWorkload.create(records, reader.initial(), RuleSet.defaults(), es,
        null, seed);
    RequestStream stream = w.stream("t", RATE, 1.0);
    SimSettings settings = settings(seed);
    for (String policy : List.of("kamino-rule", "round-robin")) {
      EngineBackendFactory f = new EngineBackendFactory(w, stream, es,
          settings.cacheBytesPerAgent(), Math.round(settings.maxAgeSeconds() * 1e9), seed);
      Simulator sim = new Simulator(settings, f,
          new LatencyEstimator(w.ruleNames(), es.estimatorDefaults()));
      PolicyResult p = sim.run(stream, policy).result();
      long top = 0;
      long other = 0;
      long ruleHits = 0;
      long ruleMisses = 0;
      for (CacheStats s : f.cacheStats()) {
        top += s.topHits();
        other += s.partialHits() + s.misses();
        ruleHits += s.ruleHits();
        ruleMisses += s.ruleMisses();
      }
      assertThat(top + other).as(policy).isEqualTo(REQUESTS);
      assertThat(p.topHitRatio()).as(policy)
          .isCloseTo(top / (double) REQUESTS, org.assertj.core.data.Offset.offset(1e-4));
      assertThat(p.ruleHitRatio()).as(policy).isCloseTo(
          ruleHits / (double) (ruleHits + ruleMisses), org.assertj.core.data.Offset.offset(1e-4));
      // Every request placed (no failures), minus departures, plus the VM that never leaves.
      assertThat(p.placementFailures()).isZero();
      assertThat(f.inventory().vmTotal()).isBetween(2, REQUESTS + 2);
      assertThat(f.inventory().journal().revision()).isGreaterThan(REQUESTS);
    }
  }
}
