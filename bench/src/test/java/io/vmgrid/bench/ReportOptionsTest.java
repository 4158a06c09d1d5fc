package io.vmgrid.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@link ReportOptions}: the options every benchmark shares, checked before anything runs. */
class ReportOptionsTest {

  @ParameterizedTest
  @ValueSource(strings = {"rules --servers 10", "packing", "grid --servers 10 --trace-dir .",
      "e2e --node-jar pom.xml"})
  void everyBenchmarkRefusesAReportFolderThatDoesNotExistBeforeItRuns(String command) {
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    CommandLine cmd = new CommandLine(new BenchMain());
    cmd.setErr(new PrintWriter(err));
    cmd.setOut(new PrintWriter(out));
    String[] args = (command + " --seed 7 --json /no/such/folder/out.json").split(" ");
    int code = cmd.execute(args);
    assertThat(code).as("exit code of %s", command).isEqualTo(2);
    assertThat(err.toString().lines().findFirst().orElse(""))
        .startsWith("--json: folder /no/such/folder does not exist");
    assertThat(out.toString()).as("nothing ran").doesNotContain("seed");
  }

  @Test
  void theSeedHasOneDefaultAndTheReportIsWrittenOnlyWhenAsked(@TempDir Path dir) throws Exception {
    ReportOptions none = new ReportOptions();
    new CommandLine(none).parseArgs();
    assertThat(none.seed()).isEqualTo(42);
    assertThat(none.problem()).isNull();
    assertThat(none.write(new Sample(1, "x"))).isFalse();

    ReportOptions some = new ReportOptions();
    Path file = dir.resolve("r.json");
    new CommandLine(some).parseArgs("--seed", "9", "--json", file.toString());
    assertThat(some.seed()).isEqualTo(9);
    assertThat(some.write(new Sample(3, "y"))).isTrue();
    assertThat(Files.readString(file)).contains("\"count\" : 3", "\"name\" : \"y\"");
  }

  /** A report: its components are the JSON keys. */
  record Sample(int count, String name) {}
}
