package io.vmgrid.bench.e2e;

import static io.vmgrid.bench.e2e.E2eReport.round4;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One policy's figures from one cluster run, one object of the JSON's {@code policies} list: its
 * name, then the {@link ReplayFigures} and the {@link RunFigures} written inline (one flat object,
 * as the docs' table of keys describes it), what routing believed at the end and the round.
 *
 * @param name the policy
 * @param replay the measured replay's figures
 * @param run the figures around the replay
 * @param kaminoBeliefsMs what routing believed at the end (null if the members do not export it)
 * @param round the round, when the run has more than one; null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PolicyReport(String name, @JsonUnwrapped ReplayFigures replay,
    @JsonUnwrapped RunFigures run, @Nullable KaminoBeliefs kaminoBeliefsMs,
    @Nullable Integer round) implements PolicyResult {

  /** The report of measurement {@code m}, in {@code round} (null with a single round). */
  static PolicyReport of(Measurement m, @Nullable Integer round) {
    return new PolicyReport(m.name(), ReplayFigures.of(m.replay(), m.metrics(), m.inventory()),
        RunFigures.of(m), KaminoBeliefs.of(m.endScrape()), round);
  }

  /**
   * What routing believed at the end, from the members' {@code vmgrid_estimate_seconds} and
   * {@code vmgrid_router_hop_seconds} gauges, in milliseconds, averaged over members.
   *
   * @param topHit evaluating a top-level hit
   * @param everyRuleMiss evaluating every rule (the sum over rules)
   * @param everyRuleHit every rule's cached result
   * @param commit the commit share added to each
   * @param hop the hop to another member
   */
  record KaminoBeliefs(double topHit, double everyRuleMiss, double everyRuleHit, double commit,
      double hop) {

    /**
     * The beliefs in {@code members}' metrics, or null if the members do not export them (direct
     * policy, older node jars).
     */
    static @Nullable KaminoBeliefs of(List<List<PromText.Sample>> members) {
      double top = 0;
      double commit = 0;
      double miss = 0;
      double hit = 0;
      double hop = 0;
      int n = 0;
      for (List<PromText.Sample> m : members) {
        boolean any = false;
        for (PromText.Sample x : m) {
          if (!Double.isFinite(x.value())) {
            continue;
          }
          if (x.name().equals("vmgrid_estimate_seconds")) {
            any = true;
            switch (x.label("kind")) {
              case "top_hit" -> top += x.value();
              case "commit" -> commit += x.value();
              case "rule_miss" -> miss += x.value();
              case "rule_hit" -> hit += x.value();
              default -> { }
            }
          } else if (x.name().equals("vmgrid_router_hop_seconds")) {
            hop += x.value();
          }
        }
        if (any) {
          n++;
        }
      }
      return n == 0 ? null : new KaminoBeliefs(round4(1000 * top / n), round4(1000 * miss / n),
          round4(1000 * hit / n), round4(1000 * commit / n), round4(1000 * hop / n));
    }
  }

  /** Prints the lines the run shows for this policy after its {@code measured} replay. */
  void printSummary(Replayer.Replay measured, PrintWriter out) {
    out.printf(Locale.ROOT, "  %d placed, %d rejected, %d failed in %.1f s; mean %.2f ms, p50 %.2f,"
        + " p99 %.2f ms; %.1f alloc/s%n", measured.placed(), measured.rejected(), measured.failed(),
        measured.seconds(), measured.latency().meanMs(), measured.latency().p50Ms(),
        measured.latency().p99Ms(), measured.throughput());
    if (run.gcPauses() != null) {
      out.printf(Locale.ROOT, "  collector pauses during the replay: %d, %s ms in all (summed over"
          + " members; a request in flight on a paused member waits it out)%n", run.gcPauses(),
          run.gcPauseMs());
    }
    Double cpu = replay.memberCpuMsPerAllocation();
    if (cpu != null) {
      out.printf(Locale.ROOT, "  CPU per allocation: members %.2f ms (%s net of the quiet"
          + " cluster's %s cores; %s cores busy over the replay), client %s ms%n", cpu,
          Objects.toString(run.memberCpuMsPerAllocationNet(), "?"),
          Objects.toString(run.idleMemberCpuCores(), "?"), run.memberCpuCores(),
          Objects.toString(run.clientCpuMsPerAllocation(), "?"));
      if (run.idleCpuCores() != null) {
        out.printf(Locale.ROOT, "  quiet cluster, cores by thread group: %s%n", run.idleCpuCores());
      }
    }
    Double invocations = replay.invocationsPerAllocation();
    if (invocations != null) {
      out.printf(Locale.ROOT, "  grid work per allocation: %.2f invocations (%s net of the quiet"
          + " cluster's %s/s), %s operations, %s events (Hazelcast's counters, summed over"
          + " members)%n", invocations, run.invocationsPerAllocationNet(),
          run.idleInvocationsPerSecond(), replay.operationsPerAllocation(),
          replay.eventsPerAllocation());
    }
    KaminoBeliefs beliefs = kaminoBeliefsMs;
    if (beliefs != null) {
      out.printf(Locale.ROOT, "  Kamino's estimates at the end (mean over members): evaluating a"
          + " top-level hit %.3f ms, every rule %.3f ms, every rule's cached result %.3f ms;"
          + " commit %.3f ms; hop to another member %.3f ms%n", beliefs.topHit(),
          beliefs.everyRuleMiss(), beliefs.everyRuleHit(), beliefs.commit(), beliefs.hop());
    }
  }
}
