package io.vmgrid.bench.packing;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vmgrid.bench.ReportOptions;
import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.InventoryChange;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.api.VmTypeCatalog;
import io.vmgrid.rules.capacity.CapacityPlanner;
import io.vmgrid.rules.capacity.CapacitySettings;
import io.vmgrid.rules.capacity.ConsolidationPlan;
import io.vmgrid.rules.capacity.FragmentationReport;
import io.vmgrid.rules.capacity.Headroom;
import io.vmgrid.rules.capacity.HeadroomReport;
import io.vmgrid.rules.capacity.Templates;
import io.vmgrid.rules.capacity.WhatIf;
import io.vmgrid.rules.capacity.WhatIfReport;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.rules.trace.InventoryGenerator;
import io.vmgrid.rules.trace.ServerCapacityReader;
import io.vmgrid.rules.trace.TraceFiles;
import io.vmgrid.rules.trace.TraceRequest;
import io.vmgrid.rules.trace.VmSampleReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vmgrid bench packing}: packing quality on the Azure sample. Every policy replays the same
 * rows (sorted by start; initial VMs first) on its own identical inventory (same seed) without
 * constraints, so the baselines and the rule set see exactly the same stream; the figures are
 * packing density (allocated ÷ non-empty cores), empty servers and rejected requests.
 *
 * <p>Policies: {@code default} (the shipped rule set through the engine and one agent cache, always
 * the best candidate), {@code default-limit-1.0} (the same with the cluster utilization limits at
 * 1.0, to separate packing from the limit's reserve), {@code best-fit} and {@code first-fit}
 * (plain: any server not unhealthy with room), and {@code default+consolidate} (the default rule set
 * plus a consolidation plan of {@link CapacityPlanner} applied every {@code --consolidate-every}
 * trace days), and {@code default-preempt} (the shipped rule set with its preemption on: a
 * regular request no server fits may evict low-priority VMs, which leave the inventory). Every other
 * rule-set policy runs with preemption off, so that it keeps the behaviour it had before preemption
 * existed; {@code --rule-set} files run as written. With {@code --capacity-servers}, also times the
 * capacity queries of {@link CapacityPlanner} on generated inventories of those sizes.
 */
@Command(
    name = "packing",
    mixinStandardHelpOptions = true,
    description = "Packing quality on the Azure sample: default rules vs best-fit and first-fit;"
        + " optionally the cost of capacity queries at scale.")
public final class PackingBenchCommand implements Callable<Integer> {
  private static final List<String> ALL = List.of("default", "default-preempt",
      "default-limit-1.0", "best-fit", "first-fit", "default+consolidate");

  @Spec CommandSpec spec;

  @Option(names = "--servers", defaultValue = "700",
      description = "Servers in the replay inventory (default ${DEFAULT-VALUE}).")
  int servers;

  @Mixin ReportOptions report = new ReportOptions();

  @Option(names = "--trace", defaultValue = "bernoulli",
      description = "bernoulli, batched, or a path to a vm-sample CSV (default ${DEFAULT-VALUE}).")
  String trace;

  @Option(names = "--trace-dir", defaultValue = TraceFiles.DEFAULT_DIR,
      description = "Azure packing trace directory (default ${DEFAULT-VALUE}, relative to the"
          + " working directory, i.e. beside the repository when run from its root).")
  Path traceDir;

  @Option(names = "--policies", split = ",",
      defaultValue = "default,default-preempt,default-limit-1.0,best-fit,first-fit,"
          + "default+consolidate",
      description = "Policies to replay, comma-separated (default ${DEFAULT-VALUE}).")
  List<String> policies;

  @Option(names = "--rule-set",
      description = "Also replay a rule-set file (repeatable); the policy is named after the file.")
  List<Path> ruleSets = new ArrayList<>();

  @Option(names = "--consolidate-every", defaultValue = "0.25",
      description = "default+consolidate: trace days between consolidation plans"
          + " (default ${DEFAULT-VALUE}).")
  double consolidateEvery;

  @Option(names = "--consolidate-moves", defaultValue = "100",
      description = "default+consolidate: most moves per plan (default ${DEFAULT-VALUE}).")
  int consolidateMoves;

  @Option(names = "--consolidate-templates", defaultValue = "5",
      description = "default+consolidate: the plans' templates are this many most frequent shapes"
          + " of the last day's requests (default ${DEFAULT-VALUE}).")
  int consolidateTemplates;

  @Option(names = "--requests", defaultValue = "0",
      description = "Replay only the first N rows by start (0 = all).")
  int requests;

  @Option(names = "--capacity-servers", split = ",",
      description = "Also time headroom, fragmentation, consolidation and a what-if on generated"
          + " inventories of these sizes (e.g. 10000,100000).")
  List<Integer> capacityServers = new ArrayList<>();

  @Option(names = "--fill", defaultValue = "0.7",
      description = "Core utilization of the capacity-timing inventories (default ${DEFAULT-VALUE}).")
  double fill;

  @Option(names = "--templates", defaultValue = "5",
      description = "Templates for the capacity timing: the most frequent trace shapes"
          + " (default ${DEFAULT-VALUE}).")
  int templates;

  @Option(names = "--catalog-headroom",
      description = "Capacity timing: also time the headroom of every VM type of vmType.csv"
          + " (the catalog-wide report of ./vmgrid capacity without --type).")
  boolean catalogHeadroom;


  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    validate();
    Path file = traceFile();
    List<TraceRequest> rows = new ArrayList<>(VmSampleReader.read(file));
    rows.sort(Comparator.comparingDouble(TraceRequest::start));
    if (requests > 0 && requests < rows.size()) {
      rows = rows.subList(0, requests);
    }
    List<MachineType> types = ServerCapacityReader.read(traceDir.resolve(TraceFiles.CAPACITIES))
        .machineTypes().stream().filter(t -> t.capacity().cores() >= 1000).toList();
    List<InventoryGenerator.Weighted> mix =
        types.stream().map(t -> new InventoryGenerator.Weighted(t, 1.0)).toList();
    // 200-server clusters (20 racks of 10), so that cluster-level rules have several clusters
    InventoryGenerator generator =
        new InventoryGenerator(servers, report.seed(), 10, 20, 5, 5, mix, 0.01, 0.02);
    out.printf(Locale.ROOT, "vmgrid bench packing: trace=%s rows=%d servers=%d seed=%d"
        + " machine-types=%s clusters of 200, 1%% unhealthy, 2%% maintenance pending%n",
        file.getFileName(), rows.size(), servers, report.seed(),
        types.stream().map(MachineType::id).toList());
    out.flush();

    List<String> run = new ArrayList<>(policies);
    Map<String, Function<Inventory, Placer>> factories = factories(run);
    Map<String, Integer> migrations = new LinkedHashMap<>();
    List<Replay.Result> results = replayAll(out, run, factories, generator, rows, migrations);
    printNotes(out, results, migrations);

    List<CapacityTiming> timings = new ArrayList<>();
    for (int n : capacityServers) {
      timings.add(timeCapacity(out, n, rows, mix));
    }

    if (report.write(report(file, rows, types, results, migrations, timings))) {
      out.println("wrote " + report.json());
    }
    return 0;
  }

  private void validate() {
    for (String p : policies) {
      if (!ALL.contains(p)) {
        throw new ParameterException(spec.commandLine(), "--policies: unknown policy '" + p
            + "' (known: " + String.join(", ", ALL) + ")");
      }
    }
    if (servers < 1) {
      throw new ParameterException(spec.commandLine(), "--servers: must be >= 1, was " + servers);
    }
    if (!(fill > 0 && fill < 1)) {
      throw new ParameterException(spec.commandLine(), "--fill: must be in (0, 1), was " + fill);
    }
    String problem = report.problem();
    if (problem != null) {
      throw new ParameterException(spec.commandLine(), problem);
    }
  }

  /** The {@code --trace} file: one of the two samples in {@code --trace-dir}, or a path. */
  private Path traceFile() {
    Path file = switch (trace) {
      case "bernoulli" -> traceDir.resolve(TraceFiles.BERNOULLI);
      case "batched" -> traceDir.resolve(TraceFiles.BATCHED);
      default -> Path.of(trace);
    };
    if (!Files.isRegularFile(file)) {
      throw new ParameterException(spec.commandLine(), "--trace: no such file " + file);
    }
    return file;
  }

  /**
   * The placer of every policy by name, with the {@code --rule-set} files loaded and their names
   * added to {@code run}.
   */
  private Map<String, Function<Inventory, Placer>> factories(List<String> run)
      throws java.io.IOException {
    Map<String, Function<Inventory, Placer>> factories = new LinkedHashMap<>();
    RuleSet noPreemption = RuleSet.defaults()
        .withPreemption(RuleSet.defaults().preemption().withEnabled(false));
    factories.put("default", inv -> Placer.rules("default", inv, noPreemption, report.seed()));
    factories.put("default-preempt",
        inv -> Placer.rules("default-preempt", inv, RuleSet.defaults(), report.seed()));
    factories.put("default-limit-1.0", inv -> Placer.rules("default-limit-1.0", inv,
        noPreemption.withClusterUtilizationLimit(1, 1), report.seed()));
    factories.put("default+consolidate",
        inv -> Placer.rules("default+consolidate", inv, noPreemption, report.seed()));
    factories.put("best-fit", Placer::bestFit);
    for (Path f : ruleSets) {
      RuleSet rs = RuleSet.load(f, io.vmgrid.rules.ruleset.RuleRegistry.builtin());
      String name = f.getFileName().toString();
      factories.put(name, inv -> Placer.rules(name, inv, rs, report.seed()));
      run.add(name);
    }
    factories.put("first-fit", Placer::firstFit);
    return factories;
  }

  /**
   * Replays {@code rows} with every policy of {@code run} on its own generated inventory, printing
   * a table row each; the policies that migrated VMs go to {@code migrations}.
   */
  private List<Replay.Result> replayAll(PrintWriter out, List<String> run,
      Map<String, Function<Inventory, Placer>> factories, InventoryGenerator generator,
      List<TraceRequest> rows, Map<String, Integer> migrations) {
    List<Replay.Result> results = new ArrayList<>();
    out.printf(Locale.ROOT, "%-20s %7s %8s %8s %8s %7s %9s %9s %8s %8s %7s %7s%n", "policy",
        "placed", "rejected", "rej.init", "rej.reg", "evicted", "density", "final", "empty",
        "final", "util", "secs");
    for (String p : run) {
      Inventory inv = generator.generate(VmTypeCatalog.EMPTY, 4096);
      Replay replay = new Replay(inv,
          java.util.Objects.requireNonNull(factories.get(p)).apply(inv));
      if (p.equals("default+consolidate")) {
        replay.every(consolidateEvery, consolidation(rows));
      }
      Replay.Result r = replay.run(rows);
      results.add(r);
      if (replay.migrations() > 0) {
        migrations.put(p, replay.migrations());
      }
      out.printf(Locale.ROOT,
          "%-20s %7d %8d %8d %8d %7d %8.2f%% %8.2f%% %8.1f %8d %6.1f%% %7.1f%n",
          r.policy(), r.placed(), r.rejected(), r.rejectedInitial(), r.rejectedRegular(),
          r.evictions(), 100 * r.meanDensity(),
          100 * r.finalDensity(), r.meanEmptyServers(), r.finalEmptyServers(),
          100 * r.finalUtilization(), r.seconds());
      out.flush();
    }
    return results;
  }

  /** The notes under the table: rejections, preemption searches and migrations. */
  private void printNotes(PrintWriter out, List<Replay.Result> results,
      Map<String, Integer> migrations) {
    out.println("density and empty = time-weighted means over trace time [0, last arrival];"
        + " final = at the last arrival");
    results.forEach(r -> {
      if (r.rejected() > 0) {
        out.printf(Locale.ROOT, "%s: %d of %d rejections came when every cluster was at its"
            + " default limit; %d cores rejected; mean utilization %.2f%%%n", r.policy(),
            r.rejectedAllClustersAtLimit(), r.rejected(), r.rejectedCores(),
            100 * r.meanUtilization());
      }
    });
    results.forEach(r -> {
      if (r.preemptionSearches() > 0) {
        out.printf(Locale.ROOT, "%s: %d preemption searches, %d found an eviction (%d VMs, %d"
            + " cores; %.2f VMs per preempting placement), %d cut short by the search budget,"
            + " %d trial evictions%n",
            r.policy(), r.preemptionSearches(), r.preemptions(), r.evictions(), r.evictedCores(),
            r.evictions() / (double) Math.max(1, r.preemptions()),
            r.preemptionSearchesCutShort(), r.preemptionTrials());
      }
    });
    migrations.forEach((p, m) -> out.printf(Locale.ROOT, "%s: %d migrations (plans every %.2f"
        + " days, <= %d moves each)%n", p, m, consolidateEvery, consolidateMoves));
  }

  private Report report(Path file, List<TraceRequest> rows, List<MachineType> types,
      List<Replay.Result> results, Map<String, Integer> migrations,
      List<CapacityTiming> timings) {
    return new Report(file.getFileName().toString(), rows.size(), servers, report.seed(),
        types.stream().map(MachineType::id).toList(), results, migrations, consolidateEvery,
        consolidateMoves, consolidateTemplates, timings, System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
  }

  /**
   * The JSON document of a run ({@code --json}); its components are the document's keys, in order.
   *
   * @param migrations consolidation moves carried out, by policy
   * @param capacityTimings the capacity queries timed, one per {@code --capacity-servers} size
   */
  record Report(String trace, int rows, int servers, long seed, List<String> machineTypes,
      List<Replay.Result> results, Map<String, Integer> migrations, double consolidateEveryDays,
      int consolidateMoves, int consolidateTemplates, List<CapacityTiming> capacityTimings,
      String javaVersion, int cpus) {}

  /**
   * The capacity queries timed on one inventory size; the catalog figures only with
   * {@code --catalog-headroom} (left out of the document otherwise).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record CapacityTiming(int servers, int vms, double utilization, List<String> templates,
      double copySeconds, double headroomSeconds, long headroomCopies, Map<String, Long> headroom,
      double fragmentationSeconds, int strandedServers, double strandedFraction,
      double consolidationSeconds, int moves, int emptied, long usableCoresGained,
      double whatIfSeconds, Map<String, Long> whatIfLimitPlus1Gain,
      @Nullable Double catalogHeadroomSeconds, @Nullable Integer catalogTypes,
      @Nullable Long catalogCopies) {}

  private record HeadroomTiming(double seconds, long copies, Map<String, Long> totals) {}

  private record FragmentationTiming(double seconds, int stranded, double fraction) {}

  private record ConsolidationTiming(double seconds, int moves, int emptied, long gained) {}

  private record WhatIfTiming(double seconds, Map<String, Long> gain) {}

  private record CatalogTiming(double seconds, int types, long copies) {}

  /**
   * A periodic consolidation: a plan from {@link CapacityPlanner#consolidate} for the {@code
   * --consolidate-templates} most frequent shapes among the requests of the last day before the plan (all rows if none), applied
   * move by move, each re-checked with {@link CapacityPlanner#check} first.
   */
  private Replay.Periodic consolidation(List<TraceRequest> rows) {
    CapacityPlanner planner = new CapacityPlanner(RuleSet.defaults(),
        CapacitySettings.defaults().withMaxMoves(consolidateMoves));
    return (inv, day) -> {
      List<VmRequest> recent = rows.stream().filter(r -> r.start() >= day - 1 && r.start() < day)
          .map(r -> r.toRequest(Constraints.NONE)).toList();
      List<VmRequest> demand = Templates.fromRequests(recent.isEmpty()
          ? rows.stream().map(r -> r.toRequest(Constraints.NONE)).toList() : recent,
          consolidateTemplates);
      ConsolidationPlan plan = planner.consolidate(inv, demand);
      int applied = 0;
      for (io.vmgrid.rules.capacity.Move m : plan.moves()) {
        if (!planner.check(inv, m).valid()) {
          break;
        }
        CapacityPlanner.applyTo(inv, m);
        applied++;
      }
      return applied;
    };
  }

  /**
   * Builds an {@code n}-server inventory (clusters of 1,000), fills it to about {@code fill} of its
   * cores with trace shapes (next fit to fill + 0.15, then seeded random releases down to fill, so
   * free capacity is scattered), and times the capacity queries on it.
   */
  private CapacityTiming timeCapacity(
      PrintWriter out, int n, List<TraceRequest> rows, List<InventoryGenerator.Weighted> mix)
      throws java.io.IOException {
    VmTypeCatalog catalog = catalogHeadroom
        ? io.vmgrid.rules.trace.VmTypeReader.read(traceDir.resolve(TraceFiles.VM_TYPES))
        : VmTypeCatalog.EMPTY;
    Inventory inv =
        InventoryGenerator.defaults(n, report.seed()).withMix(mix).generate(catalog, 4096);
    long total = 0;
    for (int i = 0; i < n; i++) {
      total += inv.capacity(Resource.CORES, i);
    }
    long used = fillScattered(inv, n, rows, total);
    List<VmRequest> demand = Templates.fromRequests(
        rows.stream().map(r -> r.toRequest(Constraints.NONE)).toList(), templates);
    CapacityPlanner planner = new CapacityPlanner(RuleSet.defaults(), CapacitySettings.defaults());
    out.printf(Locale.ROOT, "%ncapacity queries: %d servers, %d VMs, utilization %.1f%%,"
        + " templates %s%n", n, inv.vmTotal(), 100.0 * used / total,
        demand.stream().map(VmRequest::id).toList());
    double copy = timeCopy(out, inv);
    HeadroomTiming h = timeHeadroom(out, planner, inv, demand);
    FragmentationTiming f = timeFragmentation(out, planner, inv, demand);
    ConsolidationTiming c = timeConsolidation(out, planner, inv, demand);
    WhatIfTiming w = timeWhatIf(out, planner, inv, demand);
    CatalogTiming cat = catalogHeadroom ? timeCatalogHeadroom(out, planner, inv) : null;
    out.flush();
    return new CapacityTiming(n, inv.vmTotal(), used / (double) total,
        demand.stream().map(VmRequest::id).toList(), copy, h.seconds(), h.copies(), h.totals(),
        f.seconds(), f.stranded(), f.fraction(), c.seconds(), c.moves(), c.emptied(), c.gained(),
        w.seconds(), w.gain(), cat == null ? null : cat.seconds(),
        cat == null ? null : cat.types(), cat == null ? null : cat.copies());
  }

  /**
   * Fills {@code inv} with trace shapes by next fit to {@code fill} + 0.15 of its {@code total}
   * cores, then releases seeded random VMs down to {@code fill}; returns the cores used.
   */
  private long fillScattered(Inventory inv, int n, List<TraceRequest> rows, long total) {
    SplittableRandom rng = new SplittableRandom(report.seed());
    long used = 0;
    int p = 0;
    int misses = 0;
    List<String> vms = new ArrayList<>();
    for (int k = 0; used < (fill + 0.15) * total && misses < n; k++) {
      TraceRequest row = rows.get(k % rows.size());
      VmRequest r = row.toRequest(Constraints.NONE).withId("fill-" + k);
      if (inv.fits(p, r.demand())) {
        inv.apply(new InventoryChange.Place(inv.serverId(p), r.toHostedVm(r.demand())));
        used += r.demand().cores();
        vms.add(r.id());
        misses = 0;
      } else {
        p = (p + 1) % n;
        misses++;
      }
    }
    while (used > fill * total && !vms.isEmpty()) {
      int k = rng.nextInt(vms.size());
      String id = vms.get(k);
      vms.set(k, vms.get(vms.size() - 1));
      vms.remove(vms.size() - 1);
      HostedVm vm = java.util.Objects.requireNonNull(inv.vm(id));
      inv.apply(new InventoryChange.Release(inv.serverId(inv.serverOf(id)), id));
      used -= vm.used().cores();
    }
    return used;
  }

  private static double timeCopy(PrintWriter out, Inventory inv) {
    long t0 = System.nanoTime();
    Inventory copy = inv.copy();
    double seconds = secs(t0);
    out.printf(Locale.ROOT, "  Inventory.copy()                 %8.3f s (%d VMs)%n",
        seconds, copy.vmTotal());
    return seconds;
  }

  private static HeadroomTiming timeHeadroom(PrintWriter out, CapacityPlanner planner,
      Inventory inv, List<VmRequest> demand) {
    long t0 = System.nanoTime();
    HeadroomReport h = planner.headroom(inv, demand);
    double hs = secs(t0);
    long copies = h.templates().stream().mapToLong(Headroom::total).sum();
    Map<String, Long> totals = new LinkedHashMap<>();
    h.templates().forEach(x -> totals.put(x.templateId(), x.total()));
    out.printf(Locale.ROOT, "  headroom, %d templates          %8.3f s (%d copies placed, %.2f µs"
        + " each) %s%n", demand.size(), hs, copies, 1e6 * hs / Math.max(1, copies), totals);
    return new HeadroomTiming(hs, copies, totals);
  }

  private static FragmentationTiming timeFragmentation(PrintWriter out, CapacityPlanner planner,
      Inventory inv, List<VmRequest> demand) {
    long t0 = System.nanoTime();
    FragmentationReport f = planner.fragmentation(inv, demand);
    double seconds = secs(t0);
    out.printf(Locale.ROOT, "  fragmentation                    %8.3f s (%d stranded servers,"
        + " %.1f%% of free cores stranded)%n", seconds, f.stranded().size(),
        100 * f.strandedFraction());
    return new FragmentationTiming(seconds, f.stranded().size(), f.strandedFraction());
  }

  private static ConsolidationTiming timeConsolidation(PrintWriter out, CapacityPlanner planner,
      Inventory inv, List<VmRequest> demand) {
    long t0 = System.nanoTime();
    ConsolidationPlan plan = planner.consolidate(inv, demand);
    double seconds = secs(t0);
    out.printf(Locale.ROOT, "  consolidation plan (<= %d moves)  %8.3f s (%d moves, %d servers"
        + " emptied, +%d usable cores)%n", planner.settings().maxMoves(), seconds,
        plan.moves().size(), plan.emptiedServers().size(), plan.usableCoresGained());
    return new ConsolidationTiming(seconds, plan.moves().size(), plan.emptiedServers().size(),
        plan.usableCoresGained());
  }

  private static WhatIfTiming timeWhatIf(PrintWriter out, CapacityPlanner planner, Inventory inv,
      List<VmRequest> demand) {
    long t0 = System.nanoTime();
    WhatIfReport w = planner.whatIf(inv, List.of(new WhatIf.ChangeUtilizationLimit(0.01)), demand);
    double seconds = secs(t0);
    Map<String, Long> gain = new LinkedHashMap<>();
    w.deltas().forEach(d -> gain.put(d.templateId(), d.headroomChange()));
    out.printf(Locale.ROOT, "  what-if limit +0.01 (2 headrooms) %8.3f s (headroom gain %s)%n",
        seconds, gain);
    return new WhatIfTiming(seconds, gain);
  }

  private static CatalogTiming timeCatalogHeadroom(PrintWriter out, CapacityPlanner planner,
      Inventory inv) {
    long t0 = System.nanoTime();
    HeadroomReport all = planner.headroom(inv);
    double seconds = secs(t0);
    long placed = all.templates().stream().mapToLong(Headroom::total).sum();
    long nonZero = all.templates().stream().filter(x -> x.total() > 0).count();
    out.printf(Locale.ROOT, "  headroom, whole catalog          %8.3f s (%d VM types, %d with"
        + " headroom, %d copies placed)%n", seconds, all.templates().size(), nonZero, placed);
    return new CatalogTiming(seconds, all.templates().size(), placed);
  }

  private static double secs(long t0) {
    return Math.round((System.nanoTime() - t0) / 1e6) / 1e3;
  }
}
