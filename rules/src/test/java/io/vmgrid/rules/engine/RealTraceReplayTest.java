package io.vmgrid.rules.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.rules.api.EvalContext;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.rules.testing.FakeTicker;
import io.vmgrid.rules.trace.ConstraintGenerator;
import io.vmgrid.rules.trace.InventoryGenerator;
import io.vmgrid.rules.trace.ServerCapacities;
import io.vmgrid.rules.trace.ServerCapacityReader;
import io.vmgrid.rules.trace.TraceFiles;
import io.vmgrid.rules.trace.TraceRequest;
import io.vmgrid.rules.trace.VmSampleReader;
import io.vmgrid.rules.trace.VmTypeReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Replays the start of the real Azure sample (arrivals and departures in time order, synthetic
 * constraints) through a cached agent on an inventory of the trace's machine types, checking every
 * answer against a fresh evaluation. Runs only where the trace directory exists.
 */
@EnabledIf("traceAvailable")
class RealTraceReplayTest {
  private static final long SEED = 2020;

  static Path traceDir() {
    String root = System.getProperty("vmgrid.root");
    Path base = root != null && !root.isBlank() ? Path.of(root) : Path.of("..");
    return base.resolve(TraceFiles.DEFAULT_DIR).toAbsolutePath().normalize();
  }

  static boolean traceAvailable() {
    return TraceFiles.present(traceDir());
  }

  private record Departure(double at, String vmId) {}

  @Test
  void cachedAgentMatchesFreshEvaluationOnTheRealTrace() throws IOException {
    System.out.println("RealTraceReplayTest seed=" + SEED);
    ServerCapacities caps = ServerCapacityReader.read(traceDir().resolve(TraceFiles.CAPACITIES));
    List<MachineType> types = caps.machineTypes().stream()
        .filter(t -> t.capacity().cores() >= 1000).toList();
    Inventory inv = InventoryGenerator.defaults(1_000, SEED)
        .withMix(types.stream().map(t -> new InventoryGenerator.Weighted(t, 1)).toList())
        .generate(VmTypeReader.read(traceDir().resolve(TraceFiles.VM_TYPES)), 256);
    List<String> clusters = new ArrayList<>();
    for (int c = 0; c < inv.clusterCount(); c++) {
      clusters.add(inv.clusterId(c));
    }
    ConstraintGenerator constraints = ConstraintGenerator.defaults(SEED, clusters,
        types.stream().map(MachineType::id).toList(), List.of("accelerated-networking"));
    List<TraceRequest> rows = new ArrayList<>(
        VmSampleReader.read(traceDir().resolve(TraceFiles.BERNOULLI)));
    rows.sort(Comparator.comparingDouble(TraceRequest::start));
    FakeTicker ticker = new FakeTicker();
    RuleEngine cached = new RuleEngine(inv, RuleSet.defaults(), EngineSettings.defaults(),
        new SplittableRandom(SEED), ticker);
    RuleEngine fresh = new RuleEngine(inv, RuleSet.defaults(), EngineSettings.defaults(),
        new SplittableRandom(SEED), ticker);
    AgentCache cache = cached.newCache(CacheSettings.defaults());
    PriorityQueue<Departure> departures =
        new PriorityQueue<>(Comparator.comparingDouble(Departure::at));
    int placed = 0;
    int failed = 0;
    for (TraceRequest row : rows.subList(0, 3_000)) {
      while (!departures.isEmpty() && departures.peek().at() <= row.start()) {
        String vm = departures.poll().vmId();
        inv.apply(new InventoryChange.Release(inv.serverId(inv.serverOf(vm)), vm));
      }
      VmRequest r = row.toRequest(constraints.constraintsFor(row.vmId(), row.tenantId()));
      Candidates c = cache.candidates(r);
      CachedEngineEquivalenceTest.assertSameAnswer(c, fresh.evaluate(r), "vm " + row.vmId());
      Optional<Decision> d = cached.choose(c);
      if (d.isEmpty()) {
        failed++;
        continue;
      }
      int s = d.get().server();
      Resources demand = new EvalContext(inv, r).demandOn(s);
      inv.apply(new InventoryChange.Place(inv.serverId(s), r.toHostedVm(demand)));
      placed++;
      if (row.end() != Double.POSITIVE_INFINITY) {
        departures.add(new Departure(row.end(), row.vmId()));
      }
    }
    CacheStats stats = cache.stats();
    System.out.println("  placed " + placed + " failed " + failed + " " + stats);
    assertThat(placed).isGreaterThan(2_000);
    assertThat(stats.topHits()).isPositive();
  }
}
