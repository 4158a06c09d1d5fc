package io.vmgrid.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.node.demo.Demo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The launcher's contract: usage errors exit 2, command failures exit 1 with one clear line. */
class VmgridMainTest {

  @ParameterizedTest(name = "[{0}] exits {1}")
  @CsvSource(delimiter = '|', value = {
    "bogus                      | 2",
    "demo --nope                | 2",
    "demo --servers abc         | 2",
    "demo --rate -1             | 2",
    "node --port                | 2",
    "''                         | 2",
  })
  void badUsageExitsTwo(String args, int expected) {
    String[] argv = args.isEmpty() ? new String[0] : args.split(" ");
    assertThat(VmgridMain.execute(argv)).isEqualTo(expected);
  }

  @Test
  void invalidValuesExitTwoNamingTheOption() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(VmgridMain.execute("demo", "--servers", "0")).isEqualTo(2);
      assertThat(VmgridMain.execute("demo", "--release-fraction", "1.5")).isEqualTo(2);
    } finally {
      System.setErr(err);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("vmgrid demo: error: --servers: must be >= 1 (was 0)")
        .contains("--release-fraction: must be in 0..1 (was 1.5)");
  }

  @Test
  void helpExitsZero() {
    assertThat(VmgridMain.execute("--help")).isZero();
    assertThat(VmgridMain.execute("demo", "--help")).isZero();
    assertThat(VmgridMain.execute("node", "--help")).isZero();
  }

  @Test
  void aPacedDemoStartsItsRequestsAtTheRateAndSaysSo() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Demo.Report report = Demo.run(new Demo.Settings(16, 100, 0, 3, 2, 16, "direct", 400),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(report.placed() + report.rejected()).isEqualTo(100);
    // the last of 100 requests starts 99 / 400 s after the first
    assertThat(report.allocateSeconds()).isGreaterThanOrEqualTo(99 / 400.0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("started at 400/s");
  }

  @Test
  void demoAllocatesReleasesAndReportsHoldingInvariants() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Demo.Report report =
        Demo.run(new Demo.Settings(16, 200, 0.5, 7, 2, 16),
            new PrintStream(out, true, StandardCharsets.UTF_8));

    assertThat(report.placed() + report.rejected() + report.failed()).isEqualTo(200);
    assertThat(report.failed()).isZero();
    assertThat(report.placed()).isPositive();
    // 16 servers for 200 requests: regular ones that fit nowhere evict low-priority VMs
    int kept = report.placed() - report.evicted();
    assertThat(report.released()).isEqualTo(Math.round(kept * 0.5));
    assertThat(report.vmsOnServers()).as("placed, less evicted, less released")
        .isEqualTo(kept - report.released());
    assertThat(report.violations()).as("invariants").isEmpty();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("placed").contains("latency").contains("packing").contains("invariants  hold")
        .contains("preempt     " + report.evicted() + " low-priority VMs evicted");
  }
}
