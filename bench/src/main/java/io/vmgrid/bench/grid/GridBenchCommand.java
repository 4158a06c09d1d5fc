package io.vmgrid.bench.grid;

import io.vmgrid.bench.ReportOptions;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.ClientSettings;
import io.vmgrid.client.api.Priority;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.GridNodeConfig;
import io.vmgrid.node.agent.AgentHost;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.VmTypeCatalog;
import io.vmgrid.rules.trace.InventoryGenerator;
import io.vmgrid.rules.trace.ServerCapacityReader;
import io.vmgrid.rules.trace.TraceFiles;
import io.vmgrid.rules.trace.TraceRequest;
import io.vmgrid.rules.trace.VmSampleReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vmgrid bench grid}: the grid's allocation path at saturation, through the direct path
 * (client → request owner → round-robin agent → commit), with {@code --members} real members in
 * this JVM on loopback and a real client.
 *
 * <p>Workload: an Azure packing sample, VMs running at the trace start first, then arrivals and
 * departures in time order; demands in the trace's units, servers generated with the trace's machine
 * capacities ({@link InventoryGenerator}, seeded). At most {@code --in-flight} requests are
 * outstanding, so throughput is the saturation rate. A departure waits for its VM's allocation.
 */
@Command(
    name = "grid",
    mixinStandardHelpOptions = true,
    description = "Allocation throughput and latency of embedded grid members replaying a trace.")
public final class GridBenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--members", defaultValue = "1", description = "Members (default ${DEFAULT-VALUE}).")
  int members;

  @Option(names = "--servers", required = true, description = "Servers in the inventory.")
  int servers;

  @Option(names = "--agents", defaultValue = "4", description = "Agents per member (default ${DEFAULT-VALUE}).")
  int agents;

  @Option(names = "--trace", description = "Azure sample CSV (default: vm-sample-bernoulli-0.csv in"
      + " --trace-dir).")
  @Nullable Path trace;

  @Option(names = "--trace-dir", defaultValue = TraceFiles.DEFAULT_DIR,
      description = "Azure trace folder, for machine capacities (default ${DEFAULT-VALUE}).")
  Path traceDir = Path.of(TraceFiles.DEFAULT_DIR);

  @Option(names = "--limit", defaultValue = "0", description = "Use only the first N trace rows (0 = all).")
  int limit;

  @Option(names = "--in-flight", defaultValue = "256",
      description = "Most outstanding requests (default ${DEFAULT-VALUE}).")
  int inFlight;

  @Mixin ReportOptions report = new ReportOptions();


  private record Event(TraceRequest row, boolean arrival, double at) {}

  @Override
  public Integer call() throws Exception {
    validate();
    Path sample = trace != null ? trace : traceDir.resolve("vm-sample-bernoulli-0.csv");
    List<TraceRequest> rows = VmSampleReader.read(sample);
    if (limit > 0 && rows.size() > limit) {
      rows = rows.subList(0, limit);
    }
    List<MachineType> types =
        ServerCapacityReader.read(traceDir.resolve(TraceFiles.CAPACITIES)).machineTypes();
    List<ServerState> inventory = inventory(types);
    List<Event> events = events(rows);
    var out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "bench grid: %d members x %d agents, %,d servers, %,d trace rows (%s),"
        + " seed %d%n", members, agents, servers, rows.size(), sample.getFileName(), report.seed());

    String cluster = "vmgrid-bench-" + UUID.randomUUID().toString().substring(0, 8);
    List<GridNode> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < members; i++) {
        GridNodeConfig c = GridNodeConfig.builder().clusterName(cluster)
            .members(List.of("127.0.0.1")).workers(agents).build();
        nodes.add(GridNode.start(c));
      }
      long loadStart = System.nanoTime();
      nodes.get(0).loadInventory(inventory);
      for (GridNode n : nodes) {
        n.mirror().awaitCaughtUp(120_000);
      }
      double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
      out.printf(Locale.ROOT, "  loaded %,d servers in %.2f s (every member's mirror built)%n",
          servers, loadSeconds);
      List<String> addresses = nodes.stream().map(GridNode::clientAddress).toList();
      try (AllocationClient client = AllocationClient.connect(
          new ClientSettings(cluster, addresses, Duration.ofMinutes(2)))) {
        Report result = replay(client, events, nodes, round(loadSeconds));
        print(result);
        report.write(result);
      }
    } finally {
      for (GridNode n : nodes) {
        n.close();
      }
    }
    return 0;
  }

  private void validate() {
    if (members < 1) {
      throw new ParameterException(spec.commandLine(), "--members: must be >= 1 (was " + members + ")");
    }
    if (servers < 1) {
      throw new ParameterException(spec.commandLine(), "--servers: must be >= 1 (was " + servers + ")");
    }
    if (agents < 1) {
      throw new ParameterException(spec.commandLine(), "--agents: must be >= 1 (was " + agents + ")");
    }
    if (inFlight < 1) {
      throw new ParameterException(spec.commandLine(), "--in-flight: must be >= 1 (was " + inFlight + ")");
    }
    if (!Files.isDirectory(traceDir)) {
      throw new ParameterException(spec.commandLine(), "--trace-dir: " + traceDir
          + " is not a folder; point it at the Azure packing trace");
    }
    String problem = report.problem();
    if (problem != null) {
      throw new ParameterException(spec.commandLine(), problem);
    }
  }

  private List<ServerState> inventory(List<MachineType> types) {
    Inventory inv = InventoryGenerator.defaults(servers, report.seed())
        .withMix(types.stream().map(t -> new InventoryGenerator.Weighted(t, 1.0)).toList())
        .generate(VmTypeCatalog.EMPTY, 16);
    List<ServerState> out = new ArrayList<>(inv.size());
    for (int i = 0; i < inv.size(); i++) {
      String rack = inv.rackId(inv.rack(i));
      rack = rack.substring(rack.lastIndexOf('/') + 1);
      out.add(ServerState.empty(inv.serverId(i), inv.clusterId(inv.cluster(i)),
          inv.capacity(Resource.CORES, i), inv.capacity(Resource.MEMORY, i),
          new ServerState.Topology(rack, inv.localFaultDomain(i), inv.localUpdateDomain(i),
              inv.machineTypes().get(inv.machineType(i)).id())));
    }
    return out;
  }

  /** Arrivals and departures in time order; VMs running at the start come first. */
  private static List<Event> events(List<TraceRequest> rows) {
    List<Event> events = new ArrayList<>(rows.size() * 2);
    for (TraceRequest r : rows) {
      events.add(new Event(r, true, r.initial() ? Double.NEGATIVE_INFINITY : r.start()));
      if (Double.isFinite(r.end())) {
        events.add(new Event(r, false, r.end()));
      }
    }
    events.sort(Comparator.comparingDouble(Event::at).thenComparing(e -> e.arrival() ? 1 : 0));
    return events;
  }

  /**
   * What the timed part of a replay left: each VM's allocation, the releases sent, those answered
   * UNKNOWN_VM (the VM was evicted first), and the wall time.
   */
  private record Sent(Map<String, CompletableFuture<AllocationOutcome>> allocations, int releases,
      int goneBeforeRelease, double seconds) {}

  /** The allocation outcomes: sorted client-observed latencies, counts and not-placed reasons. */
  private record Outcomes(List<Long> latencies, int placed, int rejected, int failed,
      Map<String, Integer> reasons) {}

  /** Conflicts and cache lookups summed over every member's agents. */
  private record AgentTotals(long conflicts, long hits, long lookups) {}

  /** Cores used, capacity of the non-empty servers and empty servers, from the servers map. */
  private record Packing(long used, long nonEmpty, int empty) {}

  /**
   * The JSON document of a run ({@code --json}); its components are the document's keys, in order.
   *
   * @param reasons requests not placed, by reason (and the rule that removed the most servers)
   * @param stageMeanMs member-side stage means, averaged over members
   */
  record Report(int members, int agentsPerMember, int servers, long seed, int requests,
      int releases, int placed, int rejected, int failed, Map<String, Integer> reasons,
      int evictions, int releasesOfEvictedVms, double seconds, double throughputPerSec,
      double allocationsPerSec, double p50Ms, double p90Ms, double p99Ms, long conflicts,
      double conflictRate, double topHitRatio, double packingDensity, int emptyServers,
      int inFlight, Map<String, Double> stageMeanMs, double loadSeconds) {}

  private Report replay(AllocationClient client, List<Event> events, List<GridNode> nodes,
      double loadSeconds) {
    Sent sent = send(client, events);
    Outcomes o = outcomes(sent.allocations());
    AgentTotals totals = agentTotals(nodes);
    Packing packing = packing(nodes.get(0));
    double seconds = sent.seconds();
    int requests = sent.allocations().size();
    return new Report(members, agents, servers, report.seed(), requests, sent.releases(), o.placed(),
        o.rejected(), o.failed(), o.reasons(), client.evictions("").size(),
        sent.goneBeforeRelease(), round(seconds), round((requests + sent.releases()) / seconds),
        round(requests / seconds), round(quantile(o.latencies(), 0.50) / 1e6),
        round(quantile(o.latencies(), 0.90) / 1e6), round(quantile(o.latencies(), 0.99) / 1e6),
        totals.conflicts(), round4((double) totals.conflicts() / Math.max(1, requests)),
        round4((double) totals.hits() / Math.max(1, totals.lookups())),
        round4(packing.nonEmpty() == 0 ? 0 : (double) packing.used() / packing.nonEmpty()),
        packing.empty(), inFlight, stageMeans(nodes), loadSeconds);
  }

  /**
   * The timed part: sends every event, at most {@code --in-flight} outstanding, a departure once
   * its VM's allocation has answered, and waits for every answer.
   */
  private Sent send(AllocationClient client, List<Event> events) {
    Semaphore window = new Semaphore(inFlight);
    Map<String, CompletableFuture<AllocationOutcome>> allocations = new HashMap<>();
    List<CompletableFuture<?>> all = new ArrayList<>();
    long start = System.nanoTime();
    int releases = 0;
    java.util.concurrent.atomic.AtomicInteger goneBeforeRelease =
        new java.util.concurrent.atomic.AtomicInteger();
    for (Event e : events) {
      TraceRequest r = e.row();
      if (e.arrival()) {
        VmRequest request = request(r);
        window.acquireUninterruptibly();
        CompletableFuture<AllocationOutcome> f =
            client.allocate(request).whenComplete((o, x) -> window.release());
        allocations.put(r.vmId(), f);
        all.add(f);
      } else {
        CompletableFuture<AllocationOutcome> placed = allocations.get(r.vmId());
        if (placed != null && placed.join() instanceof AllocationOutcome.Placed p) {
          window.acquireUninterruptibly();
          all.add(client.release(p.vmId()).handle((o, x) -> {
            window.release();
            countGone(x, goneBeforeRelease);
            return null;
          }));
          releases++;
        }
      }
    }
    CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).join();
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Sent(allocations, releases, goneBeforeRelease.get(), seconds);
  }

  /** The client request for a trace row: its demand in the trace's units, at least 1 of each. */
  private static VmRequest request(TraceRequest r) {
    return VmRequest.builder().vmId("vm-" + r.vmId()).tenantId("t-" + r.tenantId())
        .cores((int) Math.max(1, r.cores())).memoryMb(Math.max(1, r.memory()))
        .priority(r.priority() == io.vmgrid.rules.api.Priority.LOW ? Priority.LOW : Priority.REGULAR)
        .build();
  }

  /**
   * Counts a release answered UNKNOWN_VM: a VM a regular request preempted is gone already. Any
   * other failure {@code x} is rethrown.
   */
  private static void countGone(@Nullable Throwable x,
      java.util.concurrent.atomic.AtomicInteger goneBeforeRelease) {
    Throwable cause = x instanceof java.util.concurrent.CompletionException c
        && c.getCause() != null ? c.getCause() : x;
    if (cause instanceof io.vmgrid.client.api.UnknownVmException) {
      goneBeforeRelease.incrementAndGet();
    } else if (x != null) {
      throw new java.util.concurrent.CompletionException(x);
    }
  }

  private static Outcomes outcomes(Map<String, CompletableFuture<AllocationOutcome>> allocations) {
    List<Long> latencies = new ArrayList<>();
    int placed = 0;
    int rejected = 0;
    int failed = 0;
    Map<String, Integer> reasons = new java.util.TreeMap<>();
    for (CompletableFuture<AllocationOutcome> f : allocations.values()) {
      AllocationOutcome o = f.join();
      latencies.add(o.latency().toNanos());
      if (o instanceof AllocationOutcome.Placed) {
        placed++;
      } else if (o instanceof AllocationOutcome.Rejected r) {
        rejected++;
        reasons.merge(reasonKey(r.reason().name(), r.message()), 1, Integer::sum);
      } else {
        failed++;
        if (o instanceof AllocationOutcome.Failed x) {
          reasons.merge(x.reason().name(), 1, Integer::sum);
        }
      }
    }
    latencies.sort(null);
    return new Outcomes(latencies, placed, rejected, failed, reasons);
  }

  private static AgentTotals agentTotals(List<GridNode> nodes) {
    long conflicts = 0;
    long hits = 0;
    long lookups = 0;
    for (GridNode n : nodes) {
      for (AgentHost.AgentSnapshot a : n.agents().localAgents()) {
        conflicts += a.conflicts();
        hits += a.topHits();
        lookups += a.topHits() + a.partialHits() + a.misses();
      }
    }
    return new AgentTotals(conflicts, hits, lookups);
  }

  private static Packing packing(GridNode node) {
    long used = 0;
    long nonEmpty = 0;
    int empty = 0;
    for (ServerState s : node.hazelcast().<String, ServerState>getMap(MapNames.SERVERS).values()) {
      used += s.usedCores();
      if (s.vms().isEmpty()) {
        empty++;
      } else {
        nonEmpty += s.capacityCores();
      }
    }
    return new Packing(used, nonEmpty, empty);
  }

  /** Each member-side stage's mean in milliseconds, averaged over the members. */
  private static Map<String, Double> stageMeans(List<GridNode> nodes) {
    Map<String, Double> stages = new LinkedHashMap<>();
    for (GridNode n : nodes) {
      n.metrics().stageMeansMillis().forEach((k, v) -> stages.merge(k, v / nodes.size(), Double::sum));
    }
    stages.replaceAll((k, v) -> round4(v));
    return stages;
  }

  private void print(Report r) {
    var out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "  %s allocations + %s releases in %s s: %s ops/s (%s allocations/s)%n",
        r.requests(), r.releases(), r.seconds(), r.throughputPerSec(), r.allocationsPerSec());
    out.printf(Locale.ROOT, "  latency p50 %s ms, p90 %s ms, p99 %s ms (client-observed, %s in flight)%n",
        r.p50Ms(), r.p90Ms(), r.p99Ms(), r.inFlight());
    out.printf(Locale.ROOT, "  placed %s, rejected %s, failed %s; conflicts %s (rate %s); top-hit"
        + " ratio %s%n", r.placed(), r.rejected(), r.failed(), r.conflicts(), r.conflictRate(),
        r.topHitRatio());
    out.printf(Locale.ROOT, "  not placed, by reason (and the rule that removed the most servers):"
        + " %s; low-priority VMs evicted %s%n", r.reasons(), r.evictions());
    out.printf(Locale.ROOT, "  packing density %s, empty servers %s%n", r.packingDensity(),
        r.emptyServers());
    out.printf(Locale.ROOT, "  member-side stage means (ms): %s%n", r.stageMeanMs());
  }

  /**
   * A rejection's reason and, when its message names them, the rule that removed the most servers
   * ({@code NO_CAPACITY cluster-utilization-limit}).
   */
  static String reasonKey(String reason, String message) {
    String marker = "removed most: ";
    int at = message.indexOf(marker);
    if (at < 0) {
      return reason;
    }
    String rest = message.substring(at + marker.length());
    int space = rest.indexOf(' ');
    return reason + " " + (space < 0 ? rest : rest.substring(0, space));
  }

  private static double quantile(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(q * sorted.size()) - 1));
    return sorted.get(i);
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static double round4(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
