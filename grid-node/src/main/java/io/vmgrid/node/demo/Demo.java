package io.vmgrid.node.demo;

import com.hazelcast.map.IMap;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.api.ClientSettings;
import io.vmgrid.client.api.Released;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.GridNodeConfig;
import io.vmgrid.node.routing.Scheduling;
import io.vmgrid.node.agent.AgentHost;
import io.vmgrid.node.metrics.HttpEndpoints;
import io.vmgrid.node.time.NodeClock;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * The embedded demo: one member on loopback, a generated inventory, a real client that allocates a
 * few hundred VMs and releases some, and a summary a person can read.
 */
public final class Demo {
  /**
   * Demo settings.
   *
   * @param servers servers in the generated inventory
   * @param requests VM requests to allocate
   * @param releaseFraction share of placed VMs to release afterwards, 0..1
   * @param seed seed of inventory and workload
   * @param workers request-processing threads on the member
   * @param inFlight most requests outstanding at once
   * @param scheduler the scheduler job's policy, or {@code direct} for no job
   * @param rate allocations started per second (request {@code i} at {@code i / rate} s), so that
   *     the latency line shows what one allocation takes rather than the queue of a burst; 0 starts
   *     them as fast as {@code inFlight} allows
   */
  public record Settings(int servers, int requests, double releaseFraction, long seed,
      int workers, int inFlight, String scheduler, double rate) {
    /** Settings with the default scheduler policy, requests started as fast as allowed. */
    public Settings(
        int servers, int requests, double releaseFraction, long seed, int workers, int inFlight) {
      this(servers, requests, releaseFraction, seed, workers, inFlight,
          Scheduling.DEFAULT_POLICY, 0);
    }

    /** Validates the settings, naming the bad one. */
    public Settings {
      if (servers < 1) {
        throw new IllegalArgumentException("--servers: must be >= 1 (was " + servers + ")");
      }
      if (requests < 1) {
        throw new IllegalArgumentException("--requests: must be >= 1 (was " + requests + ")");
      }
      if (!(releaseFraction >= 0 && releaseFraction <= 1)) {
        throw new IllegalArgumentException(
            "--release-fraction: must be in 0..1 (was " + releaseFraction + ")");
      }
      if (workers < 1) {
        throw new IllegalArgumentException("--workers: must be >= 1 (was " + workers + ")");
      }
      if (inFlight < 1) {
        throw new IllegalArgumentException("--in-flight: must be >= 1 (was " + inFlight + ")");
      }
      Scheduling.validatePolicy("--scheduler", scheduler);
      if (!(rate >= 0 && rate <= 1_000_000)) {
        throw new IllegalArgumentException("--rate: must be in 0..1000000 (was " + rate + ")");
      }
    }
  }

  /**
   * What the demo measured.
   *
   * @param placed VMs placed
   * @param rejected requests rejected (no capacity)
   * @param failed requests not carried out
   * @param released VMs released
   * @param evicted low-priority VMs that regular requests preempted (not released: they are gone)
   * @param allocateSeconds wall time of the allocation phase
   * @param latenciesMicros client-observed latency of every allocation, sorted
   * @param conflicts commit conflicts the member retried
   * @param totalCores cores in the inventory
   * @param usedCores cores held at the end
   * @param nonEmptyCores cores of servers hosting at least one VM
   * @param emptyServers servers hosting nothing
   * @param vmsOnServers VMs the servers hold at the end
   * @param violations what broke an invariant (a server over capacity, a VM on two servers, a
   *     record without its VM or a VM without its record), the first few; empty when they hold
   */
  public record Report(
      int placed,
      int rejected,
      int failed,
      int released,
      int evicted,
      double allocateSeconds,
      List<Long> latenciesMicros,
      long conflicts,
      long totalCores,
      long usedCores,
      long nonEmptyCores,
      int emptyServers,
      int vmsOnServers,
      List<String> violations) {

    /** No over-commit, and the placement records agree with the servers. */
    public boolean invariantsHold() {
      return violations.isEmpty();
    }

    /** Allocated cores / cores of non-empty servers, in percent. */
    public double packingDensityPercent() {
      return nonEmptyCores == 0 ? 0 : 100.0 * usedCores / nonEmptyCores;
    }

    /** The latency at quantile {@code q} (0..1), in milliseconds. */
    public double latencyMs(double q) {
      if (latenciesMicros.isEmpty()) {
        return 0;
      }
      int i = (int) Math.min(latenciesMicros.size() - 1, Math.ceil(q * latenciesMicros.size()) - 1);
      return latenciesMicros.get(Math.max(0, i)) / 1000.0;
    }
  }

  private Demo() {}

  /** Runs the demo, printing progress and the summary to {@code out}. */
  public static Report run(Settings s, PrintStream out) {
    GridNodeConfig config = GridNodeConfig.builder()
        .clusterName("vmgrid-demo-" + UUID.randomUUID().toString().substring(0, 8))
        .workers(s.workers()).metricsPort(0).scheduler(s.scheduler()).build();
    out.printf(Locale.ROOT, "vmgrid demo (seed %d): starting an embedded member...%n", s.seed());
    out.printf(Locale.ROOT, "vmgrid demo: allocations routed %s%n",
        Scheduling.DIRECT.equals(s.scheduler()) ? "directly to agents (no scheduler job)"
            : "by the scheduler job, policy " + s.scheduler());
    try (GridNode node = GridNode.prepare(config).join()) {
      List<ServerState> inventory = DemoInventory.generate(s.servers(), s.seed());
      node.loadInventory(inventory);
      try (AllocationClient client =
          AllocationClient.connect(new ClientSettings(config.clusterName(),
              List.of(node.clientAddress()), Duration.ofSeconds(30)))) {
        Report report = drive(s, node, client);
        print(s, node, report, out);
        HttpEndpoints http = node.endpoints();
        if (http != null) {
          out.printf(Locale.ROOT, "  metrics     served at %s while the demo runs (./vmgrid node serves"
              + " them on port %d)%n", http.metricsUrl(), HttpEndpoints.DEFAULT_PORT);
        }
        return report;
      }
    }
  }

  private static Report drive(Settings s, GridNode node, AllocationClient client) {
    List<VmRequest> workload = DemoWorkload.generate(s.requests(), s.seed());
    Semaphore window = new Semaphore(s.inFlight());
    List<CompletableFuture<AllocationOutcome>> futures = new ArrayList<>(workload.size());
    NodeClock clock = NodeClock.of(node.hazelcast());
    long start = clock.nanoTime();
    for (int i = 0; i < workload.size(); i++) {
      if (s.rate() > 0) {
        long due = start + Math.round(i * 1e9 / s.rate());
        for (long wait = due - clock.nanoTime(); wait > 0; wait = due - clock.nanoTime()) {
          LockSupport.parkNanos(wait);
        }
      }
      window.acquireUninterruptibly();
      futures.add(client.allocate(workload.get(i)).whenComplete((o, e) -> window.release()));
    }
    List<AllocationOutcome> outcomes = futures.stream().map(CompletableFuture::join).toList();
    double allocateSeconds = (clock.nanoTime() - start) / 1e9;

    List<String> placedIds = new ArrayList<>();
    List<Long> latencies = new ArrayList<>();
    int rejected = 0;
    int failed = 0;
    for (AllocationOutcome o : outcomes) {
      latencies.add(o.latency().toNanos() / 1000);
      if (o instanceof AllocationOutcome.Placed p) {
        placedIds.add(p.vmId());
      } else if (o instanceof AllocationOutcome.Rejected) {
        rejected++;
      } else {
        failed++;
      }
    }
    Collections.sort(latencies);

    // a regular request that found no room evicted low-priority VMs: they are gone, not to release
    Set<String> evicted = new HashSet<>();
    client.evictions("").forEach(e -> evicted.add(e.vmId()));
    int placed = placedIds.size();
    placedIds.removeAll(evicted);
    Collections.shuffle(placedIds, new Random(s.seed()));
    List<CompletableFuture<Released>> releases = new ArrayList<>();
    for (String vmId : placedIds.subList(0, (int) Math.round(placedIds.size() * s.releaseFraction()))) {
      releases.add(client.release(vmId));
    }
    int released = 0;
    for (CompletableFuture<Released> r : releases) {
      r.join();
      released++;
    }
    return measure(node, placed, rejected, failed, released,
        evicted.size(), allocateSeconds, latencies);
  }

  private static Report measure(GridNode node, int placed, int rejected, int failed, int released,
      int evicted, double seconds, List<Long> latencies) {
    IMap<String, ServerState> servers = node.hazelcast().getMap(MapNames.SERVERS);
    IMap<String, Placement> placements = node.hazelcast().getMap(MapNames.PLACEMENTS);
    long total = 0;
    long used = 0;
    long nonEmpty = 0;
    int empty = 0;
    Set<String> onServers = new HashSet<>();
    List<String> violations = new ArrayList<>();
    for (ServerState st : servers.values()) {
      total += st.capacityCores();
      used += st.usedCores();
      if (st.vms().isEmpty()) {
        empty++;
      } else {
        nonEmpty += st.capacityCores();
      }
      if (st.usedCores() > st.capacityCores() || st.usedMemoryMb() > st.capacityMemoryMb()) {
        violations.add("server " + st.serverId() + " over capacity");
      }
      for (HostedVm vm : st.vms()) {
        if (!onServers.add(vm.vmId())) {
          violations.add("VM " + vm.vmId() + " on two servers");
        }
      }
    }
    Set<String> recorded = new HashSet<>(placements.keySet());
    for (String vm : recorded) {
      if (!onServers.contains(vm)) {
        Placement p = placements.get(vm);
        violations.add("VM " + vm + " recorded on " + (p == null ? "?" : p.serverId())
            + " but on no server");
      }
    }
    for (String vm : onServers) {
      if (!recorded.contains(vm)) {
        violations.add("VM " + vm + " on a server without a record");
      }
    }
    return new Report(placed, rejected, failed, released, evicted, seconds, List.copyOf(latencies),
        node.conflicts(), total, used, nonEmpty, empty, onServers.size(),
        List.copyOf(violations.subList(0, Math.min(5, violations.size()))));
  }

  private static void print(Settings s, GridNode node, Report r, PrintStream out) {
    out.printf(Locale.ROOT, "%n  cluster     1 member at %s, %d servers, %,d cores%n",
        node.clientAddress(), s.servers(), r.totalCores());
    out.printf(Locale.ROOT,
        "  allocate    %d requests in %.2f s (%.0f/s, %s): %d placed, %d rejected (no capacity),"
        + " %d failed%n", s.requests(), r.allocateSeconds(), s.requests() / r.allocateSeconds(),
        s.rate() > 0 ? String.format(Locale.ROOT, "started at %.0f/s", s.rate())
            : "at most " + s.inFlight() + " at once", r.placed(), r.rejected(), r.failed());
    out.printf(Locale.ROOT, "  latency     p50 %.2f ms, p99 %.2f ms, max %.2f ms (client-observed)%n",
        r.latencyMs(0.50), r.latencyMs(0.99), r.latencyMs(1.0));
    out.printf(Locale.ROOT, "  conflicts   %d commits refused by a server's current state and retried%n",
        r.conflicts());
    long hits = 0;
    long partial = 0;
    long misses = 0;
    for (AgentHost.AgentSnapshot a : node.agents().localAgents()) {
      hits += a.topHits();
      partial += a.partialHits();
      misses += a.misses();
    }
    long lookups = Math.max(1, hits + partial + misses);
    out.printf(Locale.ROOT, "  agents      %d rule-engine agents (%s); cache: %.1f%% top-level"
        + " hits, %.1f%% partial (rule results reused), %.1f%% misses%n",
        node.agents().activeAgents(), Scheduling.DIRECT.equals(s.scheduler())
            ? "direct, round-robin" : "scheduler job, " + s.scheduler(),
        100.0 * hits / lookups, 100.0 * partial / lookups, 100.0 * misses / lookups);
    out.printf(Locale.ROOT, "  preempt     %d low-priority VMs evicted for regular requests that"
        + " fitted nowhere else (./vmgrid evictions lists them)%n", r.evicted());
    out.printf(Locale.ROOT, "  release     %d VMs released, capacity returned%n", r.released());
    out.printf(Locale.ROOT,
        "  packing     %.1f%% of cores used on non-empty servers; %d empty servers; %,d of %,d cores in use%n",
        r.packingDensityPercent(), r.emptyServers(), r.usedCores(), r.totalCores());
    out.printf(Locale.ROOT, "  invariants  %s (%d VMs on servers, each once, placements agree)%n",
        r.invariantsHold() ? "hold: no server over capacity" : "VIOLATED: " + r.violations(),
        r.vmsOnServers());
  }
}
