package io.vmgrid.bench.e2e;

import io.vmgrid.bench.e2e.PromText.Sample;
import io.vmgrid.node.metrics.NodeMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What the benchmark reads from the members' {@code /metrics}, summed over members: cache lookups by
 * result, commit conflicts, allocations answered, and the mean time per request stage.
 *
 * <p>Names read (grid-node's {@code NodeMetrics}): {@code vmgrid_cache_lookups_total{agent,result}}
 * with {@code result} one of {@code top_hit}, {@code partial_hit}, {@code miss};
 * {@code vmgrid_agent_conflicts_total{agent}} (else {@code vmgrid_commit_conflicts_total});
 * {@code vmgrid_requests_total{op="allocate"}} (else {@code vmgrid_allocation_latency_seconds_count});
 * {@code vmgrid_stage_latency_seconds_sum/_count{stage}};
 * {@code vmgrid_thread_cpu_seconds_total{group}} (members' CPU by thread group);
 * {@code vmgrid_thread_allocated_bytes_total{group}} (what their Java threads allocated); and Hazelcast's own
 * counters {@code vmgrid_grid_invocations_total}, {@code vmgrid_grid_operations_total} and
 * {@code vmgrid_grid_events_total}; and the JVMs' collector pauses, {@code
 * jvm_gc_pause_seconds_count/_sum} (Micrometer's, every collector and cause).
 *
 * @param topHits lookups answered by the top-level (request-type) cache
 * @param partialHits lookups answered from cached rule results
 * @param misses lookups that evaluated every rule
 * @param conflicts commits refused by a server's current state
 * @param allocations allocation requests the members answered
 * @param stagesMs mean milliseconds per stage, in request order
 * @param stageCounts how many times each stage was recorded, same order
 * @param cpuSeconds CPU seconds by thread group, in {@link #CPU_GROUP_ORDER} (empty if the members
 *     do not export it)
 * @param allocatedBytes heap bytes allocated by thread group, same order (empty if the members do
 *     not export it)
 * @param invocations invocations the members started (-1 if they do not export it)
 * @param operations operations the members executed, backups included (-1 likewise)
 * @param events events the members delivered to listeners (-1 likewise)
 * @param forwarded allocations routed to an agent on another member than the one they reached
 * @param gcPauses collector pauses of the members' JVMs (-1 if they do not export them)
 * @param gcPauseSeconds the seconds those pauses stopped the members' threads, summed
 */
record GridMetrics(long topHits, long partialHits, long misses, long conflicts, long allocations,
    Map<String, Double> stagesMs, Map<String, Long> stageCounts, Map<String, Double> cpuSeconds,
    Map<String, Double> allocatedBytes, long invocations, long operations, long events, long forwarded,
    long gcPauses, double gcPauseSeconds) {

  /** Members' thread groups in their order; groups not listed (other node versions) follow. */
  static final List<String> CPU_GROUP_ORDER = NodeMetrics.CPU_GROUPS;

  /** Stages in the order a request passes them; stages not listed follow alphabetically. */
  static final List<String> STAGE_ORDER =
      List.of("route", "classify", "select", "forward", "agent_queue", "evaluate", "commit");

  private static final List<String> STAGE_TIMERS =
      List.of("vmgrid_stage_latency_seconds", "vmgrid_stage_seconds");

  GridMetrics {
    stagesMs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stagesMs));
    stageCounts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stageCounts));
    cpuSeconds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(cpuSeconds));
    allocatedBytes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(allocatedBytes));
  }

  /** The bytes the members' Java threads allocated, all groups. */
  double allocatedBytesTotal() {
    return allocatedBytes.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /** The members' CPU seconds, all groups. */
  double cpuSecondsTotal() {
    return cpuSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /** Top-level hits over all lookups (0 without lookups). */
  double topHitRatio() {
    long lookups = topHits + partialHits + misses;
    return lookups == 0 ? 0 : (double) topHits / lookups;
  }

  /** Conflicts per allocation answered (0 without allocations). */
  double conflictRate() {
    return allocations == 0 ? 0 : (double) conflicts / allocations;
  }

  /** The sum over members of each member's parsed exposition. */
  static GridMetrics of(List<List<Sample>> members) {
    List<Sample> all = new ArrayList<>();
    members.forEach(all::addAll);
    String lookups = "vmgrid_cache_lookups_total";
    long top = Math.round(sum(all, lookups, s -> s.label("result").equals("top_hit")));
    long partial = Math.round(sum(all, lookups, s -> s.label("result").equals("partial_hit")));
    long miss = Math.round(sum(all, lookups, s -> s.label("result").equals("miss")));
    long conflicts = has(all, "vmgrid_agent_conflicts_total")
        ? Math.round(sum(all, "vmgrid_agent_conflicts_total", s -> true))
        : Math.round(sum(all, "vmgrid_commit_conflicts_total", s -> true));
    long allocations = has(all, "vmgrid_requests_total")
        ? Math.round(sum(all, "vmgrid_requests_total", s -> s.label("op").equals("allocate")))
        : Math.round(sum(all, "vmgrid_allocation_latency_seconds_count", s -> true));
    Map<String, double[]> stages = stageTotals(all);
    Map<String, Double> means = new LinkedHashMap<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    stages.forEach((stage, v) -> {
      means.put(stage, 1000 * v[0] / v[1]);
      counts.put(stage, Math.round(v[1]));
    });
    return new GridMetrics(top, partial, miss, conflicts, allocations, means, counts,
        byGroup(all, "vmgrid_thread_cpu_seconds_total"),
        byGroup(all, "vmgrid_thread_allocated_bytes_total"),
        counter(all, "vmgrid_grid_invocations_total"),
        counter(all, "vmgrid_grid_operations_total"), counter(all, "vmgrid_grid_events_total"),
        Math.round(sum(all, "vmgrid_forwarded_allocations_total", s -> true)),
        counter(all, "jvm_gc_pause_seconds_count"), sum(all, "jvm_gc_pause_seconds_sum", s -> true));
  }

  /** The sum of a counter over members, or -1 if no member exports it. */
  private static long counter(List<Sample> all, String name) {
    return has(all, name) ? Math.round(sum(all, name, s -> true)) : -1;
  }

  /** A counter labelled by thread group, summed over members, in the members' group order. */
  private static Map<String, Double> byGroup(List<Sample> all, String name) {
    Map<String, Double> byGroup = new TreeMap<>();
    for (Sample s : all) {
      if (s.name().equals(name) && Double.isFinite(s.value())) {
        byGroup.merge(s.label("group"), s.value(), Double::sum);
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (String g : CPU_GROUP_ORDER) {
      Double v = byGroup.remove(g);
      if (v != null) {
        out.put(g, v);
      }
    }
    out.putAll(byGroup);
    return out;
  }

  /** Stage to {sum of seconds, count}, stages with a count only, in request order. */
  private static Map<String, double[]> stageTotals(List<Sample> all) {
    Map<String, double[]> byStage = new TreeMap<>(); // stage -> {sum seconds, count}
    for (Sample s : all) {
      for (String timer : STAGE_TIMERS) {
        String stage = s.label("stage");
        if (stage.isEmpty()) {
          continue;
        }
        if (s.name().equals(timer + "_sum")) {
          byStage.computeIfAbsent(stage, k -> new double[2])[0] += s.value();
        } else if (s.name().equals(timer + "_count")) {
          byStage.computeIfAbsent(stage, k -> new double[2])[1] += s.value();
        }
      }
    }
    Map<String, double[]> out = new LinkedHashMap<>();
    for (String stage : STAGE_ORDER) {
      double[] v = byStage.remove(stage);
      if (v != null && v[1] > 0) {
        out.put(stage, v);
      }
    }
    byStage.forEach((stage, v) -> {
      if (v[1] > 0) {
        out.put(stage, v);
      }
    });
    return out;
  }

  private static boolean has(List<Sample> all, String name) {
    return all.stream().anyMatch(s -> s.name().equals(name));
  }

  private static double sum(List<Sample> all, String name, Predicate<Sample> filter) {
    double total = 0;
    for (Sample s : all) {
      if (s.name().equals(name) && filter.test(s) && Double.isFinite(s.value())) {
        total += s.value();
      }
    }
    return total;
  }

  /** The first sample named {@code name} with a finite value, or {@code fallback}. */
  static double value(List<Sample> samples, String name, double fallback) {
    for (Sample s : samples) {
      if (s.name().equals(name) && Double.isFinite(s.value())) {
        return s.value();
      }
    }
    return fallback;
  }

  /** The sum of every sample named {@code name} (e.g. a gauge split by a label). */
  static double total(List<Sample> samples, String name) {
    return sum(samples, name, s -> true);
  }
}
