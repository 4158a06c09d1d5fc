package io.vmgrid.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The metrics of one grid member, in one Prometheus registry. Names follow Prometheus conventions:
 * {@code vmgrid_} prefix, base units, {@code _seconds} histograms, {@code _total} counters.
 *
 * <p>Request metrics are recorded by the member that processed the request; inventory gauges are
 * computed from this member's view (every member reports the whole inventory: aggregate with
 * {@code max}, not {@code sum}).
 */
public final class NodeMetrics {
  /** Stages of a request on the member, for the per-stage latency histogram. */
  public enum Stage {
    /** Routing: computing the request's type and rule keys. */
    CLASSIFY,
    /** Routing: the policy choosing an agent over the indicators. */
    SELECT,
    /** Routing as a whole, on the member that received the request (classify and select). */
    ROUTE,
    /** A forward's round trip to another member's agent (on the forwarding member). */
    FORWARD,
    /** Waiting in the allocation agent's FIFO queue. */
    AGENT_QUEUE,
    /** Choosing candidate servers. */
    EVALUATE,
    /** The request's share of its group's commit and record entry processors, conflicts included. */
    COMMIT
  }

  /** The groups of {@code vmgrid_thread_cpu_seconds_total{group}}, in export order. */
  public static final List<String> CPU_GROUPS = ThreadCpu.GROUPS;

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private volatile String policy;
  private final Map<String, Timer> estimateErrors = new ConcurrentHashMap<>();
  private @org.jspecify.annotations.Nullable Timer indicatorAge;
  private @org.jspecify.annotations.Nullable Timer indicatorDelay;
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();
  private final Map<String, Counter> requests = new ConcurrentHashMap<>();
  private final Map<Stage, Timer> stages = new ConcurrentHashMap<>();
  private final Counter conflicts;
  private final Counter forwarded;
  private final Map<String, Counter> lookups = new ConcurrentHashMap<>();
  private final Map<String, Counter> agentConflicts = new ConcurrentHashMap<>();
  private final List<Runnable> beforeScrape = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ThreadCpu threadCpu = new ThreadCpu();

  /** A registry with JVM metrics bound; {@code policy} labels the latency histogram. */
  public NodeMetrics(String policy) {
    this.policy = policy;
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    ThreadCpu cpu = threadCpu; // a field: Micrometer holds the object only weakly
    if (cpu.supported()) {
      for (String group : CPU_GROUPS) {
        FunctionCounter.builder("vmgrid_thread_cpu_seconds", cpu, c -> c.seconds(group))
            .description("CPU time of this member's process by thread group (jvm: JIT compilers,"
                + " garbage collector and other threads the JVM does not list)")
            .tag("group", group)
            .register(registry);
      }
    }
    if (cpu.allocationsSupported()) {
      for (String group : CPU_GROUPS.subList(0, CPU_GROUPS.size() - 1)) {
        FunctionCounter.builder("vmgrid_thread_allocated_bytes", cpu, c -> c.allocatedBytes(group))
            .description("Bytes this member's Java threads allocated on the heap, by thread group"
                + " (the JVM's own threads are not listed)")
            .tag("group", group)
            .register(registry);
      }
    }
    forwarded = Counter.builder("vmgrid_forwarded_allocations")
        .description("Allocations this member's router sent to an agent on another member")
        .register(registry);
    conflicts = Counter.builder("vmgrid_commit_conflicts")
        .description("Commits refused by a server's current state (a stale view) and retried elsewhere")
        .register(registry);
  }

  /** Sets the policy label of allocation latencies recorded from now on. */
  public void policy(String name) {
    this.policy = name;
  }

  /**
   * Records how long a published indicator update took to reach this member's router (receipt
   * minus publication; wall clocks, so members' clock skew adds to it).
   */
  public void indicatorDelay(long nanos) {
    Timer t = indicatorDelay;
    if (t == null) {
      t = Timer.builder("vmgrid_scheduler_indicator_delay")
          .description("Time from an agent publishing its indicators to a router receiving them")
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofNanos(10_000))
          .maximumExpectedValue(Duration.ofSeconds(30))
          .register(registry);
      indicatorDelay = t;
    }
    t.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  /** Records how old the indicators were that a routing decision read. */
  public void indicatorAge(long nanos) {
    Timer t = indicatorAge;
    if (t == null) {
      t = Timer.builder("vmgrid_scheduler_indicator_age")
          .description("Age of the agent indicators a routing decision read (near cache staleness)")
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofNanos(10_000))
          .maximumExpectedValue(Duration.ofSeconds(30))
          .register(registry);
      indicatorAge = t;
    }
    t.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Records the scheduler's estimate error for one request: estimated minus measured processing
   * time (evaluate plus commit), as its absolute value tagged {@code over} or {@code under}.
   */
  public void estimateError(long estimatedMinusMeasuredNanos) {
    String direction = estimatedMinusMeasuredNanos >= 0 ? "over" : "under";
    estimateErrors.computeIfAbsent(direction, d ->
        Timer.builder("vmgrid_scheduler_estimate_error")
            .description("Scheduler's processing-time estimate minus the agent's measured time")
            .tag("direction", d)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(10_000))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry)).record(Math.abs(estimatedMinusMeasuredNanos),
                TimeUnit.NANOSECONDS);
  }

  /** The registry, for binding further meters. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    for (Runnable r : beforeScrape) {
      try {
        r.run();
      } catch (RuntimeException e) {
        java.util.logging.Logger.getLogger(NodeMetrics.class.getName()).log(
            java.util.logging.Level.WARNING, "updating meters before a scrape failed", e);
      }
    }
    return registry.scrape();
  }

  /**
   * Runs {@code action} before each {@link #scrape}: where meters that come and go (with the oldest
   * member, with the clusters of the inventory) are registered or removed, outside the scrape.
   */
  public void beforeScrape(Runnable action) {
    beforeScrape.add(action);
  }

  /**
   * Records one answered request: its outcome counter and, for allocations, the end-to-end latency
   * on the member.
   */
  public void request(String op, String outcome, String reason, long nanos) {
    String lowerOp = op.toLowerCase(Locale.ROOT);
    String lowerOutcome = outcome.toLowerCase(Locale.ROOT);
    requests.computeIfAbsent(lowerOp + '|' + lowerOutcome + '|' + reason, k ->
        Counter.builder("vmgrid_requests")
            .description("Requests answered by this member, by operation, outcome and reason")
            .tag("op", lowerOp).tag("outcome", lowerOutcome).tag("reason", reason.isEmpty() ? "none" : reason)
            .register(registry)).increment();
    if (lowerOp.equals("allocate")) {
      latency.computeIfAbsent(lowerOutcome, k ->
          Timer.builder("vmgrid_allocation_latency")
              .description("Allocation time on the member, from arrival to outcome written")
              .tag("policy", policy).tag("outcome", lowerOutcome)
              .publishPercentileHistogram()
              .minimumExpectedValue(Duration.ofMillis(1).dividedBy(10))
              .maximumExpectedValue(Duration.ofSeconds(30))
              .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Records the time one request spent in {@code stage}. */
  public void stage(Stage stage, long nanos) {
    stages.computeIfAbsent(stage, s ->
        Timer.builder("vmgrid_stage_latency")
            .description("Time a request spends in each stage on the member")
            .tag("stage", s.name().toLowerCase(Locale.ROOT))
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(10_000))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Counts one cache lookup of {@code agent} answered as {@code result} (TOP_HIT, PARTIAL_HIT, MISS). */
  public void lookup(String agent, String result) {
    lookups.computeIfAbsent(agent + "|" + result, k ->
        Counter.builder("vmgrid_cache_lookups")
            .description("Agent cache lookups by how the two-level cache answered them")
            .tag("agent", agent)
            .tag("result", result.toLowerCase(Locale.ROOT))
            .register(registry)).increment();
  }

  /** Counts one commit conflict of {@code agent} (also in the member total). */
  public void agentConflict(String agent) {
    agentConflictCounter(agent).increment();
    conflicts.increment();
  }

  private Counter agentConflictCounter(String agent) {
    return agentConflicts.computeIfAbsent(agent, k ->
        Counter.builder("vmgrid_agent_conflicts")
            .description("Commits of this agent refused by the server's current state")
            .tag("agent", agent)
            .register(registry));
  }

  /**
   * Registers gauges of one agent ({@code queueLength}, {@code cacheBytes}, {@code cacheEvictions}),
   * tagged {@code agent}; returns what to pass to {@link #removeAgent} when the agent stops here.
   */
  public List<Meter> agentGauges(String agent, java.util.function.IntSupplier queueLength,
      java.util.function.LongSupplier queueTimeNanos,
      java.util.function.LongSupplier cacheBytes, java.util.function.LongSupplier evictions) {
    agentConflictCounter(agent); // exported from the start (at 0), removed with the agent
    return List.of(
        Gauge.builder("vmgrid_agent_queue_time_seconds", queueTimeNanos,
                s -> s.getAsLong() / 1e9)
            .description("Kamino queue time: sum of the scheduler's estimates of the queued requests")
            .tag("agent", agent).strongReference(true).register(registry),
        Gauge.builder("vmgrid_agent_queue_length", queueLength, s -> s.getAsInt())
            .description("Requests waiting in the agent's FIFO queue")
            .tag("agent", agent).strongReference(true).register(registry),
        Gauge.builder("vmgrid_agent_cache_bytes", cacheBytes, s -> s.getAsLong())
            .description("Estimated bytes of the agent's two-level cache")
            .baseUnit("bytes").tag("agent", agent).strongReference(true).register(registry),
        FunctionCounter.builder("vmgrid_agent_cache_evictions", evictions, s -> s.getAsLong())
            .description("Cache entries the agent evicted (size or age) in its current cache")
            .tag("agent", agent).register(registry));
  }

  /**
   * Registers member gauges of the inventory mirror: servers it holds, pending changes, rebuilds.
   * Unlike the zone-wide {@code vmgrid_inventory_*} gauges (oldest member only), every member
   * exports these, so a member whose mirror lags behind the zone shows.
   */
  public void mirrorGauges(java.util.function.IntSupplier servers,
      java.util.function.IntSupplier lag, java.util.function.LongSupplier rebuilds,
      java.util.function.LongSupplier applied) {
    Gauge.builder("vmgrid_mirror_servers", servers, s -> s.getAsInt())
        .description("Servers in this member's inventory mirror")
        .strongReference(true).register(registry);
    Gauge.builder("vmgrid_mirror_lag_changes", lag, s -> s.getAsInt())
        .description("Server changes received but not yet applied to this member's inventory mirror")
        .strongReference(true).register(registry);
    FunctionCounter.builder("vmgrid_mirror_rebuilds", rebuilds, s -> s.getAsLong())
        .description("Rebuilds of the mirror after servers were added or removed").register(registry);
    FunctionCounter.builder("vmgrid_mirror_changes_applied", applied, s -> s.getAsLong())
        .description("Server changes applied to the mirror (journal records written)")
        .register(registry);
  }

  /**
   * Registers {@code vmgrid_foreign_entries_total{map}} for each of {@code maps}: entries that this
   * member's readers skipped because they are not vmgrid's (counted each time a reader meets one).
   */
  public void foreignEntries(io.vmgrid.client.wire.ForeignEntries foreign, List<String> maps) {
    for (String map : maps) {
      FunctionCounter.builder("vmgrid_foreign_entries", foreign, f -> f.count(map))
          .description("Entries of the grid's maps skipped because their key or value is not of"
              + " vmgrid's type (another client's data, left in place)")
          .tag("map", map).register(registry);
    }
  }

  /**
   * Registers the reconciler's and the partition-loss watch's counters: partitions of the placement
   * store lost (per map), reconcile passes and the inconsistencies they found, repair log entries
   * written, servers and VMs rebuilt after a loss, whether a loss is being repaired, and the
   * eviction log entries written, by reason.
   */
  public void recovery(io.vmgrid.node.recovery.Reconciler reconciler,
      io.vmgrid.node.recovery.PartitionLoss loss, io.vmgrid.node.commit.Evictions evictions) {
    for (String map : io.vmgrid.node.recovery.PartitionLoss.MAPS) {
      FunctionCounter.builder("vmgrid_partitions_lost", loss, l -> l.lost(map))
          .description("Partitions of the placement store's map whose primary and every backup"
              + " were lost, as this member was told").tag("map", map).register(registry);
    }
    FunctionCounter.builder("vmgrid_reconcile_passes", reconciler, r -> r.passes())
        .description("Reconcile passes (placements against servers) run on this member")
        .register(registry);
    FunctionCounter.builder("vmgrid_reconcile_findings", reconciler, r -> r.findings())
        .description("Inconsistencies between placements and servers the passes found (a finding"
            + " seen by two passes counts twice)").register(registry);
    FunctionCounter.builder("vmgrid_repairs", reconciler, r -> r.repaired())
        .description("Repair log entries this member wrote (the repairs map)").register(registry);
    for (String reason : List.of(io.vmgrid.client.wire.Eviction.PREEMPTED,
        io.vmgrid.client.wire.Eviction.OVER_CAPACITY_AFTER_MERGE)) {
      FunctionCounter.builder("vmgrid_evictions", evictions, e -> e.logged(reason))
          .description("VMs evicted whose eviction log entry this member wrote, by reason:"
              + " PREEMPTED (a higher-priority request took the capacity) or"
              + " OVER_CAPACITY_AFTER_MERGE").tag("reason", reason).register(registry);
    }
    FunctionCounter.builder("vmgrid_partition_loss_servers_restored", loss,
        l -> l.serversRestored())
        .description("Servers rebuilt from this member's view after their partition was lost")
        .register(registry);
    FunctionCounter.builder("vmgrid_partition_loss_vms_restored", loss, l -> l.vmsRestored())
        .description("VMs put back on a rebuilt server from their placement records")
        .register(registry);
    Gauge.builder("vmgrid_partition_loss_repairing", loss, l -> l.repairing() ? 1 : 0)
        .description("1 while a partition loss is being repaired (the member is then unsafe)")
        .register(registry);
  }

  /**
   * Removes every series of {@code agent} when it stops here ({@code gauges} from
   * {@link #agentGauges}, its lookup and conflict counters): an agent whose partition moved exports
   * them from its new member, so a sum over members counts each agent once.
   */
  public void removeAgent(String agent, List<Meter> gauges) {
    gauges.forEach(registry::remove);
    Counter conflictsOf = agentConflicts.remove(agent);
    if (conflictsOf != null) {
      registry.remove(conflictsOf);
    }
    lookups.entrySet().removeIf(e -> {
      if (!e.getKey().startsWith(agent + "|")) {
        return false;
      }
      registry.remove(e.getValue());
      return true;
    });
  }

  /** Mean time per stage so far, in milliseconds, for stages that were recorded (for reports). */
  public Map<String, Double> stageMeansMillis() {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    for (Stage s : Stage.values()) {
      Timer t = stages.get(s);
      if (t != null && t.count() > 0) {
        out.put(s.name().toLowerCase(Locale.ROOT), t.mean(TimeUnit.MILLISECONDS));
      }
    }
    return out;
  }

  /** Counts {@code n} allocations this member's router sent to another member's agents. */
  public void forwarded(int n) {
    forwarded.increment(n);
  }

  /** Registers the gauge of {@code executor}'s tasks waiting for a thread. */
  public void executorGauge(String executor, java.util.function.LongSupplier pending) {
    Gauge.builder("vmgrid_executor_pending_tasks", pending, p -> p.getAsLong())
        .description("Tasks waiting for a thread of this member's executor (intake: allocations,"
            + " releases and moves; forward: allocations other members routed here; query: explain"
            + " and capacity queries)")
        .tag("executor", executor).strongReference(true).register(registry);
  }
}
