package io.vmgrid.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmgrid.bench.BenchMain;
import io.vmgrid.client.api.InventorySummary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * The pure parts of {@code bench e2e}: flag validation, latency maths, metrics parsing, the report's
 * table and JSON. No processes.
 */
class E2eBenchTest {

  @TempDir Path dir;

  private String[] withJar(String... args) throws Exception {
    Path jar = Files.createFile(dir.resolve("node.jar"));
    String[] out = new String[args.length + 2];
    out[0] = "--node-jar";
    out[1] = jar.toString();
    System.arraycopy(args, 0, out, 2, args.length);
    return out;
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--members 0 | --members: must be in 1..16",
      "--servers -1 | --servers: must be >= 1",
      "--policy nope | --policy: unknown policy 'nope' (known: direct, kamino-request",
      "--policy direct,,round-robin | --policy: empty policy name",
      "--policy direct,direct | --policy: 'direct' is listed twice",
      "--rate -5 | --rate: must be a number >= 0",
      "--rate NaN | --rate: must be a number >= 0",
      "--limit 0 | --limit: must be >= 1",
      "--rounds 0 | --rounds: must be in 1..20",
      "--warmup -1 | --warmup: must be >= 0",
      "--warmup-rate -2 | --warmup-rate: must be a number >= 0, or -1",
      "--in-flight 0 | --in-flight: must be >= 1",
      "--agents 0 | --agents: must be >= 1",
      "--member-heap lots | --member-heap: 'lots' is not a JVM heap size",
      "--member-jvm-arg=XX:+UseSerialGC | --member-jvm-arg: 'XX:+UseSerialGC' is not a JVM option",
      "--member-jvm-arg=-Xmx8g | --member-jvm-arg: '-Xmx8g' is not a JVM option for the members",
      "--scheduler-flag maybe | --scheduler-flag: must be auto, always or never",
      "--timeout-ms 0 | --timeout-ms: must be >= 1",
      "--settle-s -1 | --settle-s: must be in 0..3600",
      "--json /no/such/folder/out.json | --json: folder /no/such/folder does not exist",
  })
  void badFlagsAreRefusedWithOneLineNamingTheFlag(String args, String message) throws Exception {
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new BenchMain());
    cmd.setErr(new PrintWriter(err));
    cmd.setOut(new PrintWriter(new StringWriter()));
    String[] full = withJar(args.strip().split(" ", -1));
    String[] withCommand = new String[full.length + 1];
    withCommand[0] = "e2e";
    System.arraycopy(full, 0, withCommand, 1, full.length);
    int code = cmd.execute(withCommand);
    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines().findFirst().orElse("")).startsWith(message);
  }

  @Test
  void missingNodeJarIsNamed() {
    E2eOptions o = parse("--node-jar", dir.resolve("absent.jar").toString());
    assertThat(o.problem()).startsWith("--node-jar: ").contains("absent.jar");
  }

  @Test
  void goodFlagsPassAndPoliciesKeepTheirOrder() throws Exception {
    E2eOptions o = parse(withJar("--members", "3", "--servers", "2000", "--policy",
        "kamino-request, round-robin,direct", "--rate", "0", "--limit", "10", "--seed", "7",
        "--member-jvm-arg=-XX:TieredStopAtLevel=1"));
    assertThat(o.problem()).isNull();
    assertThat(o.memberJvmArgs).containsExactly("-XX:TieredStopAtLevel=1");
    assertThat(o.policies()).containsExactly("kamino-request", "round-robin", "direct");
  }

  @Test
  void defaultsAreValidOnceTheJarExists() throws Exception {
    E2eOptions o = parse(withJar());
    assertThat(o.problem()).isNull();
    assertThat(o.policies()).containsExactly("direct");
    assertThat(o.effectiveWarmupRate()).isZero();
  }

  @Test
  void roundsAreComparedAsGeometricMeansOfSameRoundRatios() {
    List<PolicyResult> results = List.of(
        run("kamino-request", 1, 10.0), run("round-robin", 1, 20.0),
        run("round-robin", 2, 10.0), run("kamino-request", 2, 40.0),
        run("round-robin", 3, 30.0), new PolicyResult.Failure("kamino-request", "x", 3));
    List<E2eReport.Comparison> c =
        E2eReport.compare(results, List.of("round-robin", "kamino-request"));
    assertThat(c).hasSize(2);
    assertThat(c.get(0).name()).isEqualTo("round-robin");
    assertThat(c.get(0).ratioToFirst()).isEqualTo(1.0);
    assertThat(c.get(0).meanMsByRound()).isEqualTo(List.of(20.0, 10.0, 30.0));
    // kamino / round-robin: 0.5 in round 1, 4.0 in round 2, round 3 failed: sqrt(2)
    assertThat(c.get(1).ratioToFirst()).isEqualTo(1.4142);
    assertThat(c.get(1).roundsCompared()).isEqualTo(2);
    assertThat(c.get(1).meanMsOverRounds()).isEqualTo(25.0);
  }

  /** A report of {@code name} in {@code round} whose one allocation took {@code meanMs}. */
  private static PolicyReport run(String name, int round, double meanMs) {
    Replayer.Replay replay = new Replayer.Replay(
        LatencySummary.ofNanos(new long[] {Math.round(meanMs * 1e6)}), 1, 0, 0, 1.0, 0,
        Map.of(), List.of("vm-1"));
    Measurement m = new Measurement(name, "c", 0, replay, GridMetrics.of(List.of()),
        GridMetrics.of(List.of()), 5.0, 2.0, -1, null, INVENTORY, List.of(), 0, 0, 1.0);
    return PolicyReport.of(m, round);
  }

  private static E2eOptions parse(String... args) {
    E2eBenchCommand c = new E2eBenchCommand();
    new CommandLine(c).parseArgs(args);
    return c.options;
  }

  @Test
  void percentilesAreNearestRank() {
    long[] nanos = new long[100];
    for (int i = 0; i < 100; i++) {
      nanos[i] = (100 - i) * 1_000_000L; // 1..100 ms, unsorted
    }
    LatencySummary s = LatencySummary.ofNanos(nanos);
    assertThat(s.count()).isEqualTo(100);
    assertThat(s.meanMs()).isCloseTo(50.5, within(1e-9));
    assertThat(s.p50Ms()).isEqualTo(50.0);
    assertThat(s.p90Ms()).isEqualTo(90.0);
    assertThat(s.p99Ms()).isEqualTo(99.0);
    assertThat(s.maxMs()).isEqualTo(100.0);
    assertThat(nanos[0]).as("input untouched").isEqualTo(100_000_000L);
  }

  @Test
  void percentilesOfTinyAndEmptySets() {
    assertThat(LatencySummary.ofNanos(new long[] {3_000_000}).p99Ms()).isEqualTo(3.0);
    assertThat(LatencySummary.percentile(new long[] {1, 2}, 0.5)).isEqualTo(1);
    assertThat(LatencySummary.percentile(new long[] {1, 2}, 0.51)).isEqualTo(2);
    assertThat(LatencySummary.ofNanos(new long[0])).isEqualTo(new LatencySummary(0, 0, 0, 0, 0, 0));
    assertThatThrownBy(() -> LatencySummary.percentile(new long[] {1}, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static final String MEMBER_A = """
      # HELP vmgrid_cache_lookups_total Agent cache lookups
      # TYPE vmgrid_cache_lookups_total counter
      vmgrid_cache_lookups_total{agent="agent-p0.1",result="top_hit"} 30.0
      vmgrid_cache_lookups_total{agent="agent-p0.1",result="partial_hit"} 50.0
      vmgrid_cache_lookups_total{agent="agent-p1.2",result="miss"} 20.0
      vmgrid_agent_conflicts_total{agent="agent-p0.1"} 4.0
      vmgrid_agent_conflicts_total{agent="agent-p1.2"} 1.0
      vmgrid_commit_conflicts_total 5.0
      vmgrid_requests_total{op="allocate",outcome="placed",reason="none"} 90.0
      vmgrid_requests_total{op="allocate",outcome="rejected",reason="NO_CAPACITY"} 10.0
      vmgrid_requests_total{op="release",outcome="released",reason="none"} 7.0
      vmgrid_stage_latency_seconds_count{stage="commit"} 100
      vmgrid_stage_latency_seconds_sum{stage="commit"} 0.5
      vmgrid_stage_latency_seconds_bucket{stage="commit",le="+Inf"} 100
      vmgrid_stage_latency_seconds_max{stage="commit"} 0.2
      vmgrid_stage_latency_seconds_count{stage="agent_queue"} 100
      vmgrid_stage_latency_seconds_sum{stage="agent_queue"} 1.31676E-1
      vmgrid_cluster_members 3.0
      vmgrid_grid_invocations_total 300.0
      vmgrid_grid_operations_total 500.0
      vmgrid_grid_events_total 310.0
      vmgrid_thread_cpu_seconds_total{group="jvm"} 0.5
      vmgrid_thread_cpu_seconds_total{group="agent"} 0.25
      vmgrid_thread_cpu_seconds_total{group="partition-operation"} 1.0
      vmgrid_thread_allocated_bytes_total{group="agent"} 65536.0
      vmgrid_thread_allocated_bytes_total{group="partition-operation"} 16384.0
      jvm_gc_pause_seconds_count{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 3.0
      jvm_gc_pause_seconds_sum{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 0.045
      jvm_gc_pause_seconds_max{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 0.02
      """;

  private static final String MEMBER_B = """
      vmgrid_cache_lookups_total{agent="agent-p2.3",result="top_hit"} 70.0
      vmgrid_cache_lookups_total{agent="agent-p2.3",result="miss"} 30.0
      vmgrid_agent_conflicts_total{agent="agent-p2.3"} 15.0
      vmgrid_requests_total{op="allocate",outcome="placed",reason="none"} 100.0
      vmgrid_stage_latency_seconds_count{stage="commit"} 100
      vmgrid_stage_latency_seconds_sum{stage="commit"} 1.5
      vmgrid_stage_latency_seconds_count{stage="select"} 100
      vmgrid_stage_latency_seconds_sum{stage="select"} 0.1
      vmgrid_stage_latency_seconds_count{stage="zz_custom"} 4
      vmgrid_stage_latency_seconds_sum{stage="zz_custom"} 0.004
      vmgrid_thread_cpu_seconds_total{group="partition-operation"} 0.5
      vmgrid_thread_cpu_seconds_total{group="zz-new"} 0.25
      vmgrid_grid_invocations_total 320.0
      vmgrid_grid_operations_total 510.0
      vmgrid_grid_events_total 300.0
      jvm_gc_pause_seconds_count{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 1.0
      jvm_gc_pause_seconds_sum{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 0.01
      jvm_gc_pause_seconds_count{action="end of major GC",cause="System.gc()",gc="G1 Old Generation"} 1.0
      jvm_gc_pause_seconds_sum{action="end of major GC",cause="System.gc()",gc="G1 Old Generation"} 0.1
      """;

  @Test
  void metricsAreSummedOverMembers() {
    GridMetrics m = GridMetrics.of(List.of(PromText.parse(MEMBER_A), PromText.parse(MEMBER_B)));
    assertThat(m.topHits()).isEqualTo(100);
    assertThat(m.partialHits()).isEqualTo(50);
    assertThat(m.misses()).isEqualTo(50);
    assertThat(m.topHitRatio()).isCloseTo(0.5, within(1e-9));
    assertThat(m.conflicts()).as("per-agent counters, not also the member total").isEqualTo(20);
    assertThat(m.allocations()).as("allocations only, not releases").isEqualTo(200);
    assertThat(m.conflictRate()).isCloseTo(0.1, within(1e-9));
    assertThat(m.stagesMs().keySet())
        .as("request order, unknown stages last")
        .containsExactly("select", "agent_queue", "commit", "zz_custom");
    assertThat(m.stagesMs().get("commit")).isCloseTo(10.0, within(1e-9)); // (0.5 + 1.5) s / 200
    assertThat(m.stagesMs().get("agent_queue")).isCloseTo(1.31676, within(1e-9));
    assertThat(m.stagesMs().get("zz_custom")).isCloseTo(1.0, within(1e-9));
    assertThat(m.stageCounts()).containsEntry("commit", 200L).containsEntry("zz_custom", 4L);
    assertThat(m.cpuSeconds().keySet())
        .as("the members' thread groups in their order, unknown groups last")
        .containsExactly("partition-operation", "agent", "jvm", "zz-new");
    assertThat(m.cpuSeconds().get("partition-operation")).isCloseTo(1.5, within(1e-9));
    assertThat(m.cpuSecondsTotal()).isCloseTo(2.5, within(1e-9));
    assertThat(m.invocations()).as("Hazelcast's counters summed").isEqualTo(620);
    assertThat(m.operations()).isEqualTo(1010);
    assertThat(m.events()).isEqualTo(610);
    assertThat(m.gcPauses()).as("every collector's pauses, not their maxima").isEqualTo(5);
    assertThat(m.gcPauseSeconds()).isCloseTo(0.155, within(1e-9));
  }

  @Test
  void metricsFallBackToMemberTotalsAndHistogramCounts() {
    GridMetrics m = GridMetrics.of(List.of(PromText.parse("""
        vmgrid_commit_conflicts_total 3.0
        vmgrid_allocation_latency_seconds_count{outcome="placed",policy="round-robin"} 30
        """)));
    assertThat(m.conflicts()).isEqualTo(3);
    assertThat(m.allocations()).isEqualTo(30);
    assertThat(m.topHitRatio()).isZero();
    assertThat(m.stagesMs()).isEmpty();
    assertThat(m.cpuSeconds()).as("members without the CPU counters").isEmpty();
    assertThat(m.invocations()).as("members without Hazelcast's counters").isEqualTo(-1);
    assertThat(GridMetrics.of(List.of()).conflictRate()).isZero();
  }

  @Test
  void parserHandlesEscapesSpecialValuesAndTimestamps() {
    List<PromText.Sample> s = PromText.parse("""
        # TYPE x gauge

        x{a="q\\"uote",b="back\\\\slash",c="new\\nline",} +Inf 1700000000000
        y NaN
        z -Inf
        w{} 2.5e3
        """);
    assertThat(s).hasSize(4);
    assertThat(s.get(0).labels()).isEqualTo(Map.of("a", "q\"uote", "b", "back\\slash", "c", "new\nline"));
    assertThat(s.get(0).value()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(s.get(1).value()).isNaN();
    assertThat(s.get(2).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(s.get(3).value()).isEqualTo(2500.0);
    assertThat(s.get(3).label("missing")).isEmpty();
  }

  @Test
  void syntheticWorkloadIsSeededAndWarmsUpOnALaterPartOfTheStream() throws Exception {
    E2eWorkload a = E2eWorkload.load("synthetic", Path.of("synthetic"), 50, 20, 30, 1);
    E2eWorkload b = E2eWorkload.load("synthetic", Path.of("synthetic"), 50, 20, 30, 1);
    assertThat(a.synthetic()).isTrue();
    assertThat(a.requests()).hasSize(20).isEqualTo(b.requests());
    assertThat(a.servers()).hasSize(50).isEqualTo(b.servers());
    assertThat(a.description()).contains("seed 1");
    List<io.vmgrid.client.api.VmRequest> warm = a.warmup();
    assertThat(warm).hasSize(30).isEqualTo(b.warmup());
    assertThat(warm).extracting(io.vmgrid.client.api.VmRequest::vmId)
        .allSatisfy(id -> assertThat(id).startsWith("warm-"))
        .noneMatch(id -> a.requests().stream().anyMatch(r -> id.endsWith("-" + r.vmId())));
  }

  @Test
  void missingTraceFolderFallsBackToSyntheticAndSaysSo() throws Exception {
    E2eWorkload w = E2eWorkload.load("x.csv", dir.resolve("absent/x.csv"), 10, 5, 0, 3);
    assertThat(w.synthetic()).isTrue();
    assertThat(w.description()).contains("not found; synthetic fallback").contains("seed 3");
    assertThatThrownBy(() -> E2eWorkload.load("y.csv", dir.resolve("y.csv"), 10, 5, 0, 3))
        .hasMessageStartingWith("--trace: ");
  }

  @Test
  void aMemberThatExitsIsExplainedByItsErrorLine() {
    assertThat(LocalCluster.tail("starting\nUnknown option: '--bogus'\nUsage: vmgrid node\n  --x  y\n"))
        .isEqualTo("Unknown option: '--bogus'");
    assertThat(LocalCluster.tail("a\nb\nc\nd\n")).isEqualTo("b | c | d");
  }

  @Test
  void deltaSubtractsTheBaselinePerSeries() {
    List<PromText.Sample> before = PromText.parse("""
        c_total{agent="a"} 5
        c_total{agent="b"} 1
        """);
    List<PromText.Sample> after = PromText.parse("""
        c_total{agent="a"} 8
        c_total{agent="b"} 1
        c_total{agent="c"} 2
        """);
    assertThat(PromText.delta(before, after)).extracting(PromText.Sample::value)
        .containsExactly(3.0, 0.0, 2.0);
  }

  @Test
  void parserNamesTheBadLine() {
    assertThatThrownBy(() -> PromText.parse("ok 1\nbad{a=\"x\" 2\n"))
        .hasMessageStartingWith("metrics line 2: ");
    assertThatThrownBy(() -> PromText.parse("v abc"))
        .hasMessageContaining("value 'abc' is not a number");
    assertThatThrownBy(() -> PromText.parse("novalue{a=\"1\"}"))
        .hasMessageContaining("no value");
  }

  @Test
  void warnsWhenMembersRunC1OnlyButTheClientDoesNot() {
    List<String> c1 = List.of("-Xmx2g", "-XX:TieredStopAtLevel=1");
    assertThat(E2eBenchCommand.jitWarning(c1, List.of("-Xmx4g")))
        .contains("first policy's replay pays").contains("VMGRID_JAVA_OPTS=-XX:TieredStopAtLevel=1");
    assertThat(E2eBenchCommand.jitWarning(c1, c1)).isNull();
    assertThat(E2eBenchCommand.jitWarning(List.of(), List.of())).as("both default").isNull();
    assertThat(E2eBenchCommand.c1Only(List.of("-XX:TieredStopAtLevel=1", "-XX:TieredStopAtLevel=4")))
        .as("the last one wins").isFalse();
    assertThat(E2eBenchCommand.c1Only(List.of("-XX:TieredStopAtLevel=3"))).isTrue();
  }

  private static final InventorySummary INVENTORY =
      new InventorySummary(10, Map.of("HEALTHY", 10), 640, 48, 2, 9, 64, 64, 262_144);

  @Test
  void reportCarriesTheAgreedFields() {
    Replayer.Replay replay = new Replayer.Replay(
        LatencySummary.ofNanos(new long[] {1_000_000, 3_000_000}), 1, 1, 0, 2.0, 0.5,
        Map.of("REJECTED:NO_CAPACITY", 1), List.of("vm-1"));
    GridMetrics metrics = GridMetrics.of(List.of(PromText.parse(MEMBER_A)));
    ReplayFigures r = ReplayFigures.of(replay, metrics, INVENTORY);
    assertThat(r.meanMs()).isEqualTo(2.0);
    assertThat(r.throughputPerSec()).isEqualTo(1.0);
    assertThat(r.packingDensity()).isEqualTo(0.75);
    assertThat(r.conflictRate()).isEqualTo(0.05);
    assertThat(r.memberCpuMsPerAllocation()).isEqualTo(875.0); // 1.75 s over 2 requests
    assertThat(r.cpuMsPerAllocation()).isEqualTo(
        Map.of("partition-operation", 500.0, "agent", 125.0, "jvm", 250.0));
    assertThat(r.memberAllocatedKbPerAllocation()).isEqualTo(40.0); // 80 KiB over 2 requests
    assertThat(r.allocatedKbPerAllocation()).containsExactly(
        Map.entry("partition-operation", 8.0), Map.entry("agent", 32.0));
    Measurement m = new Measurement("round-robin", "c", 0, replay, metrics,
        GridMetrics.of(List.of()), 5.0, 2.0, -1, null, INVENTORY, List.of(), 0, 0, 1.0);
    StringWriter table = new StringWriter();
    E2eReport.printTable(List.of(PolicyReport.of(m, null),
        new PolicyResult.Failure("jsq", "boom", null)), new PrintWriter(table, true));
    assertThat(table.toString()).contains("round-robin").contains("jsq").contains("FAILED: boom")
        .contains("commit").contains("cpu ms/alloc").contains("partition")
        .contains("heap KB/alloc");
  }

  /** The keys --json wrote before the command was split, per object, in their order. */
  private static final List<String> REPORT_KEYS = List.of("benchmark", "date", "machineCores",
      "members", "agentsPerMember", "memberHeap", "servers", "rate", "inFlight", "limit", "warmup",
      "warmupRate", "requests", "seed", "workload", "synthetic", "schedulerFlag", "nodeJar",
      "nodeJarModified", "rounds", "memberJvmArgs", "clientC1Only", "policies", "comparison");
  private static final List<String> POLICY_KEYS = List.of("name", "meanMs", "p50Ms", "p90Ms",
      "p99Ms", "maxMs", "throughputPerSec", "topHitRatio", "conflictRate", "packingDensity",
      "placed", "rejected", "failed", "requests", "seconds", "maxIssueLagMs", "reasons",
      "conflicts", "forwardedRatio", "allocationsAnswered", "cacheLookups", "stagesMs",
      "stageCounts", "invocationsPerAllocation", "operationsPerAllocation", "eventsPerAllocation",
      "memberCpuMsPerAllocation", "cpuMsPerAllocation", "memberAllocatedKbPerAllocation",
      "allocatedKbPerAllocation", "emptyServers", "vms", "memberCpuCores",
      "idleInvocationsPerSecond", "invocationsPerAllocationNet", "idleMemberCpuCores",
      "idleCpuCores", "memberCpuMsPerAllocationNet", "gcPauses", "gcPauseMs", "settleSeconds",
      "jvmCoresAtStart",
      "clientCpuMsPerAllocation", "warmup", "loadAverageBefore", "loadAverageAfter", "loadSeconds",
      "cluster", "kaminoBeliefsMs", "round");

  private static final String BELIEFS = """
      vmgrid_estimate_seconds{kind="top_hit"} 0.001
      vmgrid_estimate_seconds{kind="commit"} 0.002
      vmgrid_estimate_seconds{kind="rule_miss"} 0.003
      vmgrid_estimate_seconds{kind="rule_hit"} 0.0004
      vmgrid_router_hop_seconds 0.0005
      """;

  @Test
  void jsonKeepsItsKeysAndNesting() throws Exception {
    Replayer.Replay replay = new Replayer.Replay(
        LatencySummary.ofNanos(new long[] {1_000_000, 3_000_000}), 1, 1, 0, 2.0, 0.5,
        Map.of("REJECTED:NO_CAPACITY", 1), List.of("vm-1"));
    GridMetrics metrics = GridMetrics.of(List.of(PromText.parse(MEMBER_A)));
    Measurement m = new Measurement("round-robin", "vmgrid-e2e-x-round-robin", 30, replay, metrics,
        metrics, 5.0, 2.0, 4_000_000, new Measurement.Settled(12.5, 0.05), INVENTORY,
        List.of(PromText.parse(BELIEFS)), 1.5, 2.5, 3.0);
    List<PolicyResult> results = List.of(PolicyReport.of(m, 1),
        new PolicyResult.Failure("jsq", "boom", 1));
    Path file = dir.resolve("out.json");
    E2eOptions options = parse(withJar("--rate", "0", "--rounds", "2", "--policy",
        "round-robin,jsq", "--json", file.toString()));
    E2eWorkload workload = E2eWorkload.load("synthetic", Path.of("synthetic"), 10, 2, 0, 1);
    assertThat(options.report.write(E2eReport.of(options, workload, true, Path.of("node.jar"),
        Instant.EPOCH, false, results, E2eReport.compare(results, options.policies())))).isTrue();

    JsonNode doc = new ObjectMapper().readTree(file.toFile());
    assertThat(keys(doc)).containsExactlyElementsOf(REPORT_KEYS);
    JsonNode report = doc.get("policies").get(0);
    assertThat(keys(report)).containsExactlyElementsOf(POLICY_KEYS);
    assertThat(keys(report.get("cacheLookups"))).containsExactly("topHit", "partialHit", "miss");
    assertThat(keys(report.get("kaminoBeliefsMs")))
        .containsExactly("topHit", "everyRuleMiss", "everyRuleHit", "commit", "hop");
    assertThat(keys(report.get("stagesMs"))).containsExactly("agent_queue", "commit");
    assertThat(keys(report.get("cpuMsPerAllocation")))
        .containsExactly("partition-operation", "agent", "jvm");
    assertThat(keys(report.get("allocatedKbPerAllocation")))
        .containsExactly("partition-operation", "agent");
    assertThat(keys(report.get("idleCpuCores")))
        .containsExactly("partition-operation", "agent", "jvm");
    assertThat(report.get("meanMs").asDouble()).isEqualTo(2.0);
    assertThat(report.get("placed").isInt()).isTrue();
    assertThat(report.get("kaminoBeliefsMs").get("hop").asDouble()).isEqualTo(0.5);
    assertThat(report.get("clientCpuMsPerAllocation").asDouble()).isEqualTo(2.0);
    assertThat(report.get("gcPauses").asLong()).isEqualTo(3);
    assertThat(report.get("gcPauseMs").asDouble()).isEqualTo(45.0);
    assertThat(keys(doc.get("policies").get(1))).containsExactly("name", "error", "round");
    assertThat(keys(doc.get("comparison").get(0))).containsExactly("name", "meanMsByRound",
        "meanMsOverRounds", "ratioToFirst", "roundsCompared");
    assertThat(doc.get("comparison").get(1).get("meanMsOverRounds").isNull())
        .as("a policy that failed in every round: null, as before").isTrue();
  }

  @Test
  void jsonLeavesOutWhatARunDidNotHave() throws Exception {
    Path file = dir.resolve("out.json");
    E2eOptions options = parse(withJar("--json", file.toString()));
    E2eWorkload workload = E2eWorkload.load("synthetic", Path.of("synthetic"), 10, 2, 0, 1);
    options.report.write(E2eReport.of(options, workload, false, Path.of("node.jar"),
        Instant.EPOCH, false,
        List.of(run("direct", 1, 2.0), new PolicyResult.Failure("jsq", "boom", null)), List.of()));
    JsonNode doc = new ObjectMapper().readTree(file.toFile());
    assertThat(keys(doc)).doesNotContain("inFlight", "comparison");
    assertThat(keys(doc.get("policies").get(0))).doesNotContain("memberCpuMsPerAllocation",
        "memberAllocatedKbPerAllocation", "allocatedKbPerAllocation", "invocationsPerAllocation", "settleSeconds", "clientCpuMsPerAllocation",
        "kaminoBeliefsMs", "memberCpuCores", "idleCpuCores").contains("round");
    assertThat(keys(doc.get("policies").get(1))).containsExactly("name", "error");
  }

  private static List<String> keys(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
