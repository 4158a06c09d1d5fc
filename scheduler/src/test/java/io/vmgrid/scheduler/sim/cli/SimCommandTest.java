package io.vmgrid.scheduler.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimCommandTest {
  @TempDir Path dir;

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    CommandLine cl = SimCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private Path trace(int n) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("vmId,tenantId,cores,ram,vmTypeId,starttime,endtime");
    lines.add("1,1,8.0,4.0,0,-1497.0,inf");
    for (int i = 0; i < n; i++) {
      int cores = 1 << (i % 4);
      lines.add((10 + i) + "," + (i % 13) + "," + cores + ".0," + (2 * cores) + ".0," + (i % 2) + ","
          + (i * 1e-5) + ",inf");
    }
    Path f = dir.resolve("trace.csv");
    Files.write(f, lines);
    return f;
  }

  @Test
  void runsOnATraceAndWritesTableJsonAndPlot() throws IOException {
    Path json = dir.resolve("out/sim.json");
    Result r = run("--trace", trace(3_000).toString(), "--agents", "3", "--seed", "9",
        "--policies", "kamino-request,shared-queue", "--json", json.toString(),
        "--plots", dir.resolve("plots").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("mode: model", "seed: 9", "kamino-request", "shared-queue",
        "requests/s");
    String text = Files.readString(json);
    assertThat(text).contains("\"mode\" : \"model\"", "\"meanMs\"", "\"p99Ms\"",
        "\"bestAgentChosenRatio\"", "\"eventPredictionAccuracy\"", "\"throughputPerSec\"");
    assertThat(dir.resolve("plots/latency-cdf.png")).isNotEmptyFile();
  }

  @Test
  void estimatorIsSavedAndReloaded() throws IOException {
    Path est = dir.resolve("est.json");
    String t = trace(500).toString();
    Result first = run("--trace", t, "--policies", "kamino-rule", "--estimator", est.toString());
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out()).contains("saved estimator");
    assertThat(Files.readString(est)).contains("\"topHit\"", "\"cores-fit\"");
    Result second = run("--trace", t, "--policies", "kamino-rule", "--estimator", est.toString());
    assertThat(second.code()).as(second.err()).isZero();
    assertThat(second.out()).contains("loaded and saved estimator");
  }

  @Test
  void sweepWritesOneReportPerPoint() throws IOException {
    Path json = dir.resolve("sweep.json");
    Result r = run("sweep", "--synthetic", "2000", "--policies", "jsq,kamino-rule",
        "--load-factors", "1,0.5", "--agent-counts", "1,2", "--json", json.toString());
    assertThat(r.code()).as(r.err()).isZero();
    String text = Files.readString(json);
    assertThat(text).contains("byLoadFactor", "byAgentCount");
  }

  @Test
  void helpRendersWithoutFormatWarnings() {
    Result r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("25% more load", "--load-factor", "sweep");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void missingTraceIsOneClearMessage() {
    Result r = run("--trace", dir.resolve("absent.csv").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("vmgrid sim: trace file not found").contains("absent.csv");
    assertThat(r.err().lines().count()).isEqualTo(1);
  }

  @Test
  void malformedTraceNamesLineAndField() throws IOException {
    Path f = dir.resolve("bad.csv");
    Files.write(f, List.of("vmId,tenantId,cores,ram,vmTypeId,starttime,endtime",
        "1,1,8.0,4.0,0,0.1,inf", "2,1,eight,4.0,0,0.2,inf"));
    Result r = run("--trace", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("bad.csv:3: cores:");
  }

  @Test
  void engineModeRunsAndSaysSoInTableAndJson() throws IOException {
    Path json = dir.resolve("engine.json");
    Result r = run("--trace", trace(60).toString(), "--mode", "engine", "--servers", "200",
        "--policies", "kamino-rule,jsq", "--json", json.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("mode: engine", "engine: 200 servers", "kamino-rule", "jsq");
    assertThat(Files.readString(json)).contains("\"mode\" : \"engine\"", "\"servers\" : 200");
    Result typeLevel = run("--trace", trace(60).toString(), "--mode", "engine", "--servers", "200",
        "--rules", "type-level", "--policies", "kamino-request");
    assertThat(typeLevel.code()).as(typeLevel.err()).isZero();
    assertThat(typeLevel.out()).contains("type-level-rules.yaml (9 rules)");
  }

  @Test
  void unknownPolicyListsTheKnownOnes() throws IOException {
    Result r = run("--trace", trace(10).toString(), "--policies", "kamino-request,best");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("unknown policy 'best'", "bounded-hash");
  }

  @Test
  void nonPositiveAgentsNegativeLoadFactorBadModeServersAndRulesAreRejected() throws IOException {
    String t = trace(10).toString();
    Result agents = run("--trace", t, "--agents", "0");
    assertThat(agents.code()).isEqualTo(1);
    assertThat(agents.err()).contains("--agents must be at least 1");
    Result eps = run("--trace", t, "--load-factor", "-0.5");
    assertThat(eps.code()).isEqualTo(1);
    assertThat(eps.err()).contains("--load-factor must be a positive number");
    Result mode = run("--trace", t, "--mode", "measured");
    assertThat(mode.code()).isEqualTo(1);
    assertThat(mode.err()).contains("unknown mode 'measured'; known modes: model, engine");
    Result servers = run("--trace", t, "--mode", "engine", "--servers", "0");
    assertThat(servers.code()).isEqualTo(1);
    assertThat(servers.err()).contains("--servers must be at least 1");
    Result rules = run("--trace", t, "--mode", "engine", "--rules", "no-such-rules.yaml");
    assertThat(rules.code()).isEqualTo(1);
    assertThat(rules.err()).contains("--rules: expected default, type-level or a rule-set file");
    Result typo = run("--trace", t, "--agents", "four");
    assertThat(typo.code()).isEqualTo(2);
  }
}
