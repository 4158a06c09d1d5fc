package io.vmgrid.bench.e2e;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The report of a {@code bench e2e} run, the document {@code --json} writes: the run's settings, one
 * {@link PolicyResult} per policy and round, and with several rounds the policies compared over
 * them. Also prints the table the run ends with, and rounds figures as the report shows them.
 *
 * @param benchmark always "e2e"
 * @param date when the report was made
 * @param machineCores this machine's processors
 * @param members member processes per cluster
 * @param agentsPerMember allocation agents per member
 * @param memberHeap {@code -Xmx} of each member
 * @param servers servers in the inventory
 * @param rate allocations per second, 0 = as fast as {@code inFlight} allows
 * @param inFlight most outstanding requests, with rate 0 only (null otherwise)
 * @param limit allocations per policy asked for
 * @param warmup warm-up allocations per policy
 * @param warmupRate the warm-up's rate
 * @param requests allocations per policy replayed
 * @param seed the seed
 * @param workload what the requests were made from
 * @param synthetic whether the synthetic fallback was used
 * @param schedulerFlag whether the policy was passed to the nodes as {@code --scheduler}
 * @param nodeJar the grid-node jar
 * @param nodeJarModified when the jar was last modified
 * @param rounds rounds run
 * @param memberJvmArgs further JVM options of the members
 * @param clientC1Only whether this process's JIT was limited to C1
 * @param policies one result per policy and round, in the order run
 * @param comparison per policy over all rounds (empty with one round, and left out of the JSON)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record E2eReport(String benchmark, String date, int machineCores, int members,
    int agentsPerMember, String memberHeap, int servers, double rate, @Nullable Integer inFlight,
    int limit, int warmup, double warmupRate, int requests, long seed, String workload,
    boolean synthetic, boolean schedulerFlag, String nodeJar, String nodeJarModified, int rounds,
    List<String> memberJvmArgs, boolean clientC1Only, List<PolicyResult> policies,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Comparison> comparison) {

  /**
   * One policy over all rounds: its mean latency in each round, the mean of those, and the
   * geometric mean over the rounds of its mean latency divided by the first policy's in the same
   * round ({@code ratioToFirst}; 0.8 = 20% below). Rounds where either failed are left out.
   *
   * @param name the policy
   * @param meanMsByRound its mean latency in each round it did not fail
   * @param meanMsOverRounds the mean of those (null if it failed in every round)
   * @param ratioToFirst the geometric mean of the same-round ratios (null without any)
   * @param roundsCompared rounds that gave a ratio
   */
  record Comparison(String name, List<Double> meanMsByRound, @Nullable Double meanMsOverRounds,
      @Nullable Double ratioToFirst, int roundsCompared) {}

  /**
   * The report of a run with {@code options} over {@code workload}: {@code schedulerFlag} whether
   * the policy went to the nodes as {@code --scheduler}, {@code nodeJar} the jar's source, last
   * modified at {@code nodeJarModified}, {@code clientC1Only} whether this JVM runs C1 only.
   */
  static E2eReport of(E2eOptions options, E2eWorkload workload, boolean schedulerFlag,
      Path nodeJar, Instant nodeJarModified, boolean clientC1Only, List<PolicyResult> policies,
      List<Comparison> comparison) {
    return new E2eReport("e2e", Instant.now().toString(),
        Runtime.getRuntime().availableProcessors(), options.members, options.agents,
        options.memberHeap, options.servers, options.rate,
        options.rate == 0 ? options.inFlight : null, options.limit, options.warmup,
        options.effectiveWarmupRate(), workload.requests().size(), options.report.seed(),
        workload.description(), workload.synthetic(), schedulerFlag, nodeJar.toString(),
        nodeJarModified.toString(), options.rounds, List.copyOf(options.memberJvmArgs),
        clientC1Only, policies, comparison);
  }

  /** Each of {@code policies} compared over the rounds of {@code results}. */
  static List<Comparison> compare(List<PolicyResult> results, List<String> policies) {
    Map<Integer, Map<String, Double>> byRound = new TreeMap<>();
    for (PolicyResult r : results) {
      Integer round = r.round();
      if (r instanceof PolicyReport p && round != null) {
        byRound.computeIfAbsent(round, k -> new LinkedHashMap<>())
            .put(p.name(), p.replay().meanMs());
      }
    }
    String first = policies.get(0);
    List<Comparison> out = new ArrayList<>();
    for (String p : policies) {
      List<Double> means = new ArrayList<>();
      double logSum = 0;
      int pairs = 0;
      for (Map<String, Double> round : byRound.values()) {
        Double mine = round.get(p);
        if (mine == null) {
          continue;
        }
        means.add(mine);
        Double base = round.get(first);
        if (base != null && base > 0 && mine > 0) {
          logSum += Math.log(mine / base);
          pairs++;
        }
      }
      out.add(new Comparison(p, means, means.isEmpty() ? null
          : round(means.stream().mapToDouble(Double::doubleValue).average().orElse(0)),
          pairs == 0 ? null : round4(Math.exp(logSum / pairs)), pairs));
    }
    return out;
  }

  /** Prints the comparison over rounds, if there is one. */
  static void printComparison(List<Comparison> comparison, PrintWriter out) {
    if (comparison.isEmpty()) {
      return;
    }
    out.printf(Locale.ROOT, "%nover both orders: %-15s %12s %12s  %s%n", "policy", "mean ms",
        "vs first", "mean ms per round");
    for (Comparison c : comparison) {
      out.printf(Locale.ROOT, "                  %-15s %12s %12s  %s%n", c.name(),
          c.meanMsOverRounds(), c.ratioToFirst(), c.meanMsByRound());
    }
  }

  /** Prints one row per policy and a row of stage means per policy. */
  static void printTable(List<PolicyResult> results, PrintWriter out) {
    out.printf(Locale.ROOT, "%n%-15s %6s %6s %6s %8s %8s %8s %8s %9s %7s %8s %8s%n", "policy",
        "placed", "rej", "failed", "mean ms", "p50 ms", "p90 ms", "p99 ms", "alloc/s", "topHit",
        "conflict", "packing");
    List<PolicyReport> reports = new ArrayList<>();
    for (PolicyResult r : results) {
      if (r instanceof PolicyResult.Failure f) {
        out.printf(Locale.ROOT, "%-15s FAILED: %s%n", f.name(), f.error());
        continue;
      }
      PolicyReport p = (PolicyReport) r;
      reports.add(p);
      ReplayFigures x = p.replay();
      out.printf(Locale.ROOT, "%-15s %6s %6s %6s %8s %8s %8s %8s %9s %7s %8s %8s%n", p.name(),
          x.placed(), x.rejected(), x.failed(), x.meanMs(), x.p50Ms(), x.p90Ms(), x.p99Ms(),
          x.throughputPerSec(), x.topHitRatio(), x.conflictRate(), x.packingDensity());
    }
    List<Map<String, Double>> stagesMs = new ArrayList<>();
    reports.forEach(p -> stagesMs.add(p.replay().stagesMs()));
    List<String> stages = columns(stagesMs, GridMetrics.STAGE_ORDER);
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%n%-15s", "stage mean ms"));
    for (String s : stages) {
      header.append(String.format(Locale.ROOT, " %11s", s));
    }
    out.println(header);
    for (PolicyReport p : reports) {
      out.println(row(String.format(Locale.ROOT, "%-15s", p.name()), stages,
          p.replay().stagesMs(), " %11s"));
    }
    printCpu(reports, out);
    printHeap(reports, out);
  }

  /** Heap kilobytes the members' Java threads allocated per allocation, by thread group. */
  private static void printHeap(List<PolicyReport> reports, PrintWriter out) {
    // the JVM's own threads are not listed: no allocations of theirs are counted
    printByGroup(reports, out, "heap KB/alloc", List.of("members"),
        GridMetrics.CPU_GROUP_ORDER.stream().filter(g -> !g.equals("jvm")).toList(),
        p -> p.replay().allocatedKbPerAllocation(),
        p -> List.of(String.valueOf(p.replay().memberAllocatedKbPerAllocation())));
  }

  /** Members' CPU per allocation by thread group (ms), where the members export it. */
  private static void printCpu(List<PolicyReport> reports, PrintWriter out) {
    printByGroup(reports, out, "cpu ms/alloc", List.of("members", "client"),
        GridMetrics.CPU_GROUP_ORDER, p -> p.replay().cpuMsPerAllocation(), p -> {
          Double client = p.run().clientCpuMsPerAllocation();
          return List.of(String.valueOf(p.replay().memberCpuMsPerAllocation()),
              client == null ? "-" : client.toString());
        });
  }

  /**
   * A table of a figure by thread group, one row per report that has it: the report's totals
   * ({@code totalNames}), then one column per group in {@code order} (groups not listed last).
   */
  private static void printByGroup(List<PolicyReport> reports, PrintWriter out, String title,
      List<String> totalNames, List<String> order,
      Function<PolicyReport, @Nullable Map<String, Double>> byGroup,
      Function<PolicyReport, List<String>> totals) {
    List<Map<String, Double>> maps = new ArrayList<>();
    for (PolicyReport p : reports) {
      Map<String, Double> m = byGroup.apply(p);
      if (m != null) {
        maps.add(m);
      }
    }
    if (maps.isEmpty()) {
      return;
    }
    List<String> groups = columns(maps, order);
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%n%-15s", title));
    totalNames.forEach(t -> header.append(String.format(Locale.ROOT, " %8s", t)));
    for (String g : groups) {
      header.append(String.format(Locale.ROOT, " %9s", abbreviate(g)));
    }
    out.println(header);
    for (PolicyReport p : reports) {
      Map<String, Double> m = byGroup.apply(p);
      if (m != null) {
        StringBuilder start = new StringBuilder(String.format(Locale.ROOT, "%-15s", p.name()));
        totals.apply(p).forEach(t -> start.append(String.format(Locale.ROOT, " %8s", t)));
        out.println(row(start.toString(), groups, m, " %9s"));
      }
    }
  }

  /** {@code start}, then per column its value in {@code values} ("-" if none) in {@code format}. */
  private static String row(String start, List<String> columns, Map<String, Double> values,
      String format) {
    StringBuilder row = new StringBuilder(start);
    for (String c : columns) {
      Double v = values.get(c);
      row.append(String.format(Locale.ROOT, format, v == null ? "-" : fmt(v)));
    }
    return row.toString();
  }

  /** {@code order}, then the other keys of {@code maps}, in first-seen order. */
  private static List<String> columns(List<Map<String, Double>> maps, List<String> order) {
    List<String> out = new ArrayList<>(order);
    for (Map<String, Double> m : maps) {
      for (String k : m.keySet()) {
        if (!out.contains(k)) {
          out.add(k);
        }
      }
    }
    return out;
  }

  /** A thread group's name cut to a table column. */
  private static String abbreviate(String group) {
    return switch (group) {
      case "partition-operation" -> "partition";
      case "generic-operation" -> "generic";
      default -> group.length() > 9 ? group.substring(0, 9) : group;
    };
  }

  /** {@code v} for a table: a whole number without decimals, otherwise with three. */
  static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.3f", v);
  }

  /** {@code v} rounded to 2 decimals, as the report gives milliseconds and rates. */
  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** {@code v} rounded to 4 decimals, as the report gives ratios. */
  static double round4(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
