package io.vmgrid.bench.rules;

import io.vmgrid.bench.ReportOptions;
import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.api.VmTypeCatalog;
import io.vmgrid.rules.engine.AgentCache;
import io.vmgrid.rules.engine.CacheSettings;
import io.vmgrid.rules.engine.Candidates;
import io.vmgrid.rules.engine.EngineSettings;
import io.vmgrid.rules.engine.Lookup;
import io.vmgrid.rules.engine.RequestTypeKey;
import io.vmgrid.rules.engine.RuleEngine;
import io.vmgrid.rules.engine.RuleKey;
import io.vmgrid.rules.engine.Ticker;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.trace.InventoryGenerator;
import io.vmgrid.rules.trace.ServerCapacityReader;
import io.vmgrid.rules.trace.TraceFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vmgrid bench rules}: the cost of the rule engine and one agent's cache on a seeded inventory
 * of N servers with the default rule set: a miss, a rule-level partial hit, a top-level hit with
 * 0, 100 and 1,000 journal changes pending, a top-level hit for another tenant (the overlay at
 * work), plus the estimated bytes of a cached entry.
 *
 * <p>Method: the inventory (from {@link InventoryGenerator#defaults}) is first filled to about
 * {@code --fill} of its cores with small VMs. Each figure is the median of {@code --reps} timed
 * calls after {@code --warmup} untimed ones. Miss: cache cleared before each call. Partial hit: a
 * request differing from a cached one only in its SSD size (so only ssd-fit's entry is missing).
 * Hit: the same request again after k random placements and releases. Overlay hit: the same type
 * from a random tenant holding VMs in one cluster, with an availability set.
 */
@Command(
    name = "rules",
    mixinStandardHelpOptions = true,
    description = "Rule engine and agent cache: miss, partial hit, hit with pending changes, bytes.")
public final class RulesBenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--servers", required = true, description = "Number of servers.")
  int servers;

  @Mixin ReportOptions report = new ReportOptions();

  @Option(names = "--reps", defaultValue = "200", description = "Timed calls per figure.")
  int reps;

  @Option(names = "--warmup", defaultValue = "5000",
      description = "Untimed calls per figure, so the JIT has compiled the paths measured.")
  int warmup;

  @Option(names = "--hit-warmup", defaultValue = "20000",
      description = "Untimed calls before the figures of hits with no pending change, which take a"
          + " few microseconds: 1,000 calls leave their paths interpreted (default"
          + " ${DEFAULT-VALUE}).")
  int hitWarmup;

  @Option(names = "--fill", defaultValue = "0.5", description = "Initial core utilization.")
  double fill;

  @Option(names = "--machine-types", defaultValue = "synthetic",
      description = "synthetic (three made-up types) or trace (the trace's capacities file).")
  String machineTypes;

  @Option(names = "--trace-dir", defaultValue = TraceFiles.DEFAULT_DIR,
      description = "Azure packing trace directory, relative to the working directory"
          + " (default ${DEFAULT-VALUE}, i.e. beside the repository when run from its root).")
  Path traceDir;

  private final List<String> placed = new ArrayList<>();
  private final Map<String, double[]> spread = new LinkedHashMap<>();
  private int nextVm;

  /**
   * The figures of one run, in microseconds where timed.
   *
   * @param passing servers passing every rule for the probe
   * @param overlayScans clusters the overlay ranked during the tenant hits
   * @param hits hit medians by pending changes
   * @param bestFit best-fit hits with and without a reserve, by changes
   * @param entryBytes estimated bytes of the probe's top-level entry
   * @param ruleBytes estimated bytes of its rule entries
   */
  private record Figures(int passing, double miss, double partial, double overlay,
      long overlayScans, Map<String, Double> hits, Map<String, BestFit> bestFit, long entryBytes,
      long ruleBytes) {}

  @Override
  public Integer call() throws Exception {
    String problem = report.problem();
    if (problem != null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), problem);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT,
        "vmgrid bench rules: servers=%d seed=%d reps=%d warmup=%d fill=%.2f machine-types=%s%n",
        servers, report.seed(), reps, warmup, fill, machineTypes);
    out.flush();
    SplittableRandom rng = new SplittableRandom(report.seed());
    InventoryGenerator generator = InventoryGenerator.defaults(servers, report.seed());
    VmRequest probe = request("probe", 0);
    out.printf(Locale.ROOT, "hit-warmup=%d%n", hitWarmup);
    if (machineTypes.equals("trace")) {
      List<MachineType> types = ServerCapacityReader.read(traceDir.resolve(TraceFiles.CAPACITIES))
          .machineTypes().stream().filter(t -> t.capacity().cores() >= 16 * probe.demand().cores())
          .toList();
      generator = generator.withMix(
          types.stream().map(t -> new InventoryGenerator.Weighted(t, 1.0)).toList());
    } else if (!machineTypes.equals("synthetic")) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--machine-types must be synthetic or trace, got " + machineTypes);
    }
    Inventory inv = generator.generate(VmTypeCatalog.EMPTY, 8192);
    fill(inv, rng);
    RuleEngine engine = new RuleEngine(inv, RuleSet.defaults(), EngineSettings.defaults(),
        new SplittableRandom(report.seed()), Ticker.system());
    AgentCache cache = engine.newCache(new CacheSettings(8L << 30, Long.MAX_VALUE / 4));
    VmRequest base = request("bench-tenant", 0);

    Figures f = measure(inv, engine, cache, base, rng);
    Report result = result(f, inv);
    print(out, f);
    if (report.write(result)) {
      out.println("wrote " + report.json());
    }
    return 0;
  }

  /**
   * Times, in this order (they share {@code rng} and the inventory): a miss, a partial hit, a
   * tenant's hit, hits with pending changes and best-fit hits; then the entries' bytes.
   */
  private Figures measure(Inventory inv, RuleEngine engine, AgentCache cache, VmRequest base,
      SplittableRandom rng) {
    double miss = median(() -> {
      cache.clear();
      return base;
    }, cache, Lookup.MISS, 0, rng, inv);
    cache.clear();
    cache.candidates(base);
    int[] size = {0};
    double partial = median(() -> resized(base, ++size[0]), cache, Lookup.PARTIAL_HIT, 0, rng,
        inv);
    cache.clear();
    Candidates warm = cache.candidates(base);
    long scannedBefore = cache.overlayScannedClusters();
    double overlay = median(() -> tenantRequest(inv, rng), cache, Lookup.TOP_HIT, 0, rng, inv);
    long overlayScans = cache.overlayScannedClusters() - scannedBefore;
    Map<String, Double> hits = new LinkedHashMap<>();
    for (int pending : new int[] {0, 100, 1000}) {
      hits.put(Integer.toString(pending),
          median(() -> base, cache, Lookup.TOP_HIT, pending, rng, inv));
    }
    Map<String, BestFit> bestFit = new LinkedHashMap<>();
    for (int pending : new int[] {100, 1000}) {
      bestFit.put(Integer.toString(pending), bestFitHits(inv, rng, base, pending));
    }
    RequestTypeKey type = engine.classifier().typeKey(base);
    long entryBytes = cache.entryBytes(type);
    long ruleBytes = 0;
    for (RuleKey k : engine.classifier().ruleKeys(base)) {
      ruleBytes += cache.ruleEntryBytes(k);
    }
    return new Figures(warm.passing(), miss, partial, overlay, overlayScans, hits, bestFit,
        entryBytes, ruleBytes);
  }

  /**
   * The JSON document of a run ({@code --json}); its components are the document's keys, in order.
   *
   * @param hitMicros top-level hit by pending changes ("0", "100", "1000")
   * @param bestFitHitMicros best-fit hits by pending changes ("100", "1000")
   * @param p10p90Micros each figure's 10th and 90th percentile
   */
  record Report(int servers, long seed, int reps, String ruleSet, String machineTypes,
      int passingServers, double missMicros, double partialHitMicros, double overlayHitMicros,
      long overlayScannedClusters, Map<String, Double> hitMicros,
      Map<String, BestFitReport> bestFitHitMicros, int reserve, long entryBytes,
      long ruleEntriesBytes, String javaVersion, int cpus, Map<String, List<Double>> p10p90Micros) {}

  /** Best-fit hits at one number of pending changes, with and without the reserve. */
  record BestFitReport(double withReserveMicros, double withoutReserveMicros,
      double withReserveTrimmedMeanMicros, double withoutReserveTrimmedMeanMicros,
      long fullRankingsWithReserve, long reserveRankings, long fullRankingsWithoutReserve) {}

  private Report result(Figures f, Inventory inv) {
    Map<String, Double> hitsRounded = new LinkedHashMap<>();
    f.hits().forEach((k, v) -> hitsRounded.put(k, round(v)));
    Map<String, BestFitReport> bf = new LinkedHashMap<>();
    f.bestFit().forEach((k, v) -> bf.put(k, new BestFitReport(round(v.withMicros()),
        round(v.withoutMicros()), round(v.withMean()), round(v.withoutMean()), v.fullWith(),
        v.fromReserve(), v.fullWithout())));
    Map<String, List<Double>> p10p90 = new LinkedHashMap<>();
    spread.forEach((k, v) -> p10p90.put(k, List.of(round(v[0]), round(v[1]))));
    return new Report(servers, report.seed(), reps, "default", machineTypes, f.passing(),
        round(f.miss()), round(f.partial()), round(f.overlay()), f.overlayScans(), hitsRounded,
        bf, EngineSettings.defaults().reserveFor(inv.size()), f.entryBytes(), f.ruleBytes(),
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), p10p90);
  }

  private void print(PrintWriter out, Figures f) {
    out.printf(Locale.ROOT, "%-34s %12s%n", "figure", "value");
    out.printf(Locale.ROOT, "%-34s %12.1f%n", "miss (µs)", f.miss());
    out.printf(Locale.ROOT, "%-34s %12.1f%n", "partial hit, a new size (µs)", f.partial());
    out.printf(Locale.ROOT, "%-34s %12.1f  (clusters ranked for it: %d)%n",
        "hit, a tenant with VMs (µs)", f.overlay(), f.overlayScans());
    f.hits().forEach((k, v) ->
        out.printf(Locale.ROOT, "%-34s %12.1f%n", "hit, " + k + " pending changes (µs)", v));
    f.bestFit().forEach((k, v) -> {
      out.printf(Locale.ROOT, "%-34s %12.1f  (mean* %.1f; full rankings %d, from the reserve %d)%n",
          "hit, " + k + " best-fit changes (µs)", v.withMicros(), v.withMean(), v.fullWith(),
          v.fromReserve());
      out.printf(Locale.ROOT, "%-34s %12.1f  (mean* %.1f; full rankings %d)%n",
          "  same, without a reserve (µs)", v.withoutMicros(), v.withoutMean(), v.fullWithout());
    });
    out.println("  (mean*: mean without the slowest 1 percent of the calls)");
    out.printf(Locale.ROOT, "%-34s %12d%n", "top-level entry (bytes)", f.entryBytes());
    out.printf(Locale.ROOT, "%-34s %12d%n", "its rule entries (bytes)", f.ruleBytes());
    spread.forEach((k, v) -> out.printf(Locale.ROOT, "%-34s %5.1f .. %.1f%n",
        "p10..p90 " + k + " (µs)", v[0], v[1]));
    out.flush();
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  /** Median microseconds of one cache call, after applying {@code pending} changes each time. */
  private double median(
      Supplier<VmRequest> next,
      AgentCache cache,
      Lookup expected,
      int pending,
      SplittableRandom rng,
      Inventory inv) {
    double[] micros = new double[reps];
    int warm = expected == Lookup.TOP_HIT && pending == 0 ? Math.max(warmup, hitWarmup) : warmup;
    for (int i = 0; i < warm + reps; i++) {
      churn(inv, rng, pending);
      VmRequest r = next.get();
      long t0 = System.nanoTime();
      Candidates c = cache.candidates(r);
      long t1 = System.nanoTime();
      if (cache.lastLookup() != expected || c.isEmpty()) {
        throw new IllegalStateException("expected a " + expected + " with candidates, got "
            + cache.lastLookup() + " " + c);
      }
      if (i >= warm) {
        micros[i - warm] = (t1 - t0) / 1000.0;
      }
    }
    Arrays.sort(micros);
    spread.put(expected + "/" + pending, new double[] {micros[reps / 10], micros[reps * 9 / 10]});
    return micros[reps / 2];
  }

  /** Medians of the timed hits with and without a reserve, and the rankings they did. */
  private record BestFit(double withMicros, double withoutMicros, double withMean,
      double withoutMean, long fullWith, long fromReserve, long fullWithout) {}

  /**
   * A top-level hit after {@code k} changes of the kind a grid sees: half are placements of the
   * same tenant's VMs of 1, 2, 4 or 8 cores on the best server their own cached entries rank (so,
   * under best-fit, on the nearly full servers the probe's entry ranks first too, which drains its
   * ranked list as they fill), half releases of random VMs. Timed side by side on two engines over
   * the same inventory, with the default reserve and without one, alternating which goes first.
   */
  private BestFit bestFitHits(Inventory inv, SplittableRandom rng, VmRequest probe, int k) {
    EngineSettings d = EngineSettings.defaults();
    EngineSettings none = new EngineSettings(d.topK(), d.exactTop(), d.minN0(), d.maxN0(),
        d.conflictWindowNanos(), 0);
    CacheSettings big = new CacheSettings(8L << 30, Long.MAX_VALUE / 4);
    AgentCache with = new RuleEngine(inv, RuleSet.defaults(), d, new SplittableRandom(report.seed()),
        Ticker.system()).newCache(big);
    AgentCache without = new RuleEngine(inv, RuleSet.defaults(), none, new SplittableRandom(report.seed()),
        Ticker.system()).newCache(big);
    AgentCache placer = new RuleEngine(inv, RuleSet.defaults(), d, new SplittableRandom(report.seed()),
        Ticker.system()).newCache(big);
    with.candidates(probe);
    without.candidates(probe);
    int rounds = Math.min(warmup, 100) + reps;
    double[] a = new double[reps];
    double[] b = new double[reps];
    long[] before = {with.fullRankings(), with.reserveRankings(), without.fullRankings()};
    for (int i = 0; i < rounds; i++) {
      if (i == rounds - reps) {
        before = new long[] {with.fullRankings(), with.reserveRankings(), without.fullRankings()};
      }
      bestFitChurn(inv, rng, placer, k, probe.tenant());
      boolean withFirst = i % 2 == 0;
      double first = timedHit(withFirst ? with : without, probe);
      double second = timedHit(withFirst ? without : with, probe);
      if (i >= rounds - reps) {
        a[i - (rounds - reps)] = withFirst ? first : second;
        b[i - (rounds - reps)] = withFirst ? second : first;
      }
    }
    Arrays.sort(a);
    Arrays.sort(b);
    return new BestFit(a[reps / 2], b[reps / 2], trimmedMean(a), trimmedMean(b),
        with.fullRankings() - before[0],
        with.reserveRankings() - before[1], without.fullRankings() - before[2]);
  }

  /**
   * The mean of sorted {@code micros} without its slowest 1%: a refill every few calls shows in the
   * mean, not in the median, and one GC pause or compilation would swamp an untrimmed mean.
   */
  private static double trimmedMean(double[] micros) {
    int n = micros.length - micros.length / 100;
    return Arrays.stream(micros, 0, Math.max(1, n)).average().orElse(0);
  }

  private static double timedHit(AgentCache cache, VmRequest probe) {
    long t0 = System.nanoTime();
    Candidates c = cache.candidates(probe);
    long t1 = System.nanoTime();
    if (cache.lastLookup() != Lookup.TOP_HIT || c.isEmpty()) {
      throw new IllegalStateException("expected a top-level hit with candidates, got "
          + cache.lastLookup() + " " + c);
    }
    return (t1 - t0) / 1000.0;
  }

  private void bestFitChurn(Inventory inv, SplittableRandom rng, AgentCache placer, int k,
      String tenant) {
    for (int j = 0; j < k; j++) {
      if (j % 2 == 0 && !placed.isEmpty()) {
        release(inv, rng);
        continue;
      }
      long cores = 1L << rng.nextInt(4);
      VmRequest r = new VmRequest("bf-" + nextVm++, null,
          new Resources(cores, cores * 4, cores * 10), tenant, Priority.REGULAR, Constraints.NONE);
      Candidates c = placer.candidates(r);
      if (c.isEmpty()) {
        release(inv, rng);
        continue;
      }
      int s = c.server(0);
      inv.apply(new InventoryChange.Place(inv.serverId(s),
          r.toHostedVm(new io.vmgrid.rules.api.EvalContext(inv, r).demandOn(s))));
      placed.add(r.id());
    }
  }

  private void release(Inventory inv, SplittableRandom rng) {
    int at = rng.nextInt(placed.size());
    String vm = placed.get(at);
    placed.set(at, placed.get(placed.size() - 1));
    placed.remove(placed.size() - 1);
    inv.apply(new InventoryChange.Release(inv.serverId(inv.serverOf(vm)), vm));
  }

  private VmRequest request(String tenant, int variant) {
    Constraints c = Constraints.NONE.withAvailabilitySet("as-" + tenant + "-" + variant);
    return new VmRequest("bench-" + nextVm++, null, new Resources(4, 16, 40), tenant,
        Priority.REGULAR, c);
  }

  /** {@code base} with {@code extra} more SSD: a new type whose other rule results are cached. */
  private VmRequest resized(VmRequest base, int extra) {
    Resources d = base.demand();
    return new VmRequest("bench-" + nextVm++, null,
        new Resources(d.cores(), d.memory(), d.ssd() + extra), base.tenant(), base.priority(),
        base.constraints());
  }

  /**
   * The probe's size from a random tenant of the fill, which holds VMs in one cluster, with an
   * availability set: the same type as the probe, so a top-level hit whose overlay ranks the
   * tenant's cluster apart from the rest.
   */
  private VmRequest tenantRequest(Inventory inv, SplittableRandom rng) {
    return request(fillTenant(rng.nextInt(inv.clusterCount()), rng), 0);
  }

  /** Tenants of the fill live in one cluster each, as deployments do (50 per cluster). */
  private static String fillTenant(int cluster, SplittableRandom rng) {
    return "fill-c" + cluster + "-" + rng.nextInt(50);
  }

  private void fill(Inventory inv, SplittableRandom rng) {
    for (int s = 0; s < inv.size(); s++) {
      long target = (long) (fill * inv.capacity(Resource.CORES, s));
      while (inv.used(Resource.CORES, s) < target) {
        if (!placeOn(inv, rng, s)) {
          break;
        }
      }
    }
  }

  /** Places a VM of 1, 2, 4 or 8 units (a unit = max(1, server cores / 64)) if it fits. */
  private boolean placeOn(Inventory inv, SplittableRandom rng, int s) {
    long unit = Math.max(1, inv.capacity(Resource.CORES, s) / 64);
    long cores = unit << rng.nextInt(4);
    Resources d = new Resources(cores, cores * 4, cores * 10);
    if (!inv.fits(s, d)) {
      return false;
    }
    String tenant = fillTenant(inv.cluster(s), rng);
    String id = "f" + nextVm++;
    inv.apply(new InventoryChange.Place(inv.serverId(s),
        new HostedVm(id, tenant, d, Priority.REGULAR, null, null)));
    placed.add(id);
    return true;
  }

  /** {@code k} random changes: releases and placements alternately, keeping utilization level. */
  private void churn(Inventory inv, SplittableRandom rng, int k) {
    for (int j = 0; j < k; j++) {
      if (j % 2 == 0 && !placed.isEmpty()) {
        release(inv, rng);
      } else if (!placeOn(inv, rng, rng.nextInt(inv.size()))) {
        j--;
      }
    }
  }
}
