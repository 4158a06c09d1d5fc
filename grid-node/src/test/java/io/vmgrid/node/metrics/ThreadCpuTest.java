package io.vmgrid.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ThreadCpuTest {

  @ParameterizedTest
  @CsvSource({
      "hz.vmgrid-1.partition-operation.thread-0, partition-operation",
      "hz.vmgrid-1.generic-operation.thread-1, generic-operation",
      "hz.vmgrid-1.IO.thread-in-2, io",
      "hz.vmgrid-1.event-3, event",
      "hz.vmgrid-1.response-0, response",
      "hz.client_0.responsethread-0-, response",
      "hz.vmgrid-1.jet.cooperative.thread-0, jet",
      "vmgrid-agent-agent-p7.2, agent",
      "hz.vmgrid-1.cached.thread-4, intake",
      "vmgrid-indicators, indicators",
      "vmgrid-mirror, mirror",
      "vmgrid-callback-12, callback",
      "main, other",
  })
  void namesOfMemberThreadsMapToTheirGroups(String name, String group) {
    assertThat(ThreadCpu.group(name)).isEqualTo(group);
    assertThat(ThreadCpu.GROUPS).contains(group).endsWith("jvm").doesNotHaveDuplicates();
  }

  @Test
  void aBusyThreadsCpuLandsInItsGroupAndCountersOnlyGrow() throws Exception {
    ThreadCpu cpu = new ThreadCpu();
    assertThat(cpu.supported()).isTrue(); // HotSpot on Linux, as CI runs
    double agentBefore = cpu.seconds("agent");
    double jvmBefore = cpu.seconds("jvm");
    AtomicLong used = new AtomicLong();
    Thread busy = new Thread(() -> {
      var bean = ManagementFactory.getThreadMXBean();
      long start = bean.getCurrentThreadCpuTime();
      long x = 0;
      while (bean.getCurrentThreadCpuTime() - start < 300_000_000L) { // 0.3 s of its own CPU
        x += Long.numberOfTrailingZeros(x + System.nanoTime());
      }
      used.set(bean.getCurrentThreadCpuTime() - start + (x == 42 ? 1 : 0));
      stayUntilRead();
    }, "vmgrid-agent-test-p0.0");
    busy.setDaemon(true);
    busy.start();
    while (used.get() == 0) {
      Thread.sleep(20);
    }
    Thread.sleep(ThreadCpu.MIN_INTERVAL_NANOS / 1_000_000 + 50); // past the reading interval
    double grown = cpu.seconds("agent") - agentBefore;
    busy.interrupt();
    assertThat(grown).isGreaterThanOrEqualTo(used.get() / 1e9);
    assertThat(cpu.seconds("jvm")).isGreaterThanOrEqualTo(jvmBefore);
    double total = 0;
    for (String g : ThreadCpu.GROUPS) {
      total += cpu.seconds(g);
    }
    long process = ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    assertThat(total).isLessThanOrEqualTo(process / 1e9 + 1e-3); // groups split the process
    assertThatThrownBy(() -> cpu.seconds("nope")).hasMessageContaining("group: unknown nope");
  }

  @Test
  void aThreadsAllocationsLandInItsGroup() throws Exception {
    ThreadCpu usage = new ThreadCpu();
    assertThat(usage.allocationsSupported()).isTrue(); // HotSpot, as CI runs
    long before = usage.allocatedBytes("indicators");
    AtomicLong made = new AtomicLong();
    Thread allocating = new Thread(() -> {
      long total = 0;
      for (int i = 0; i < 64; i++) {
        byte[] chunk = new byte[256 * 1024]; // 16 MiB in all, each chunk kept until counted
        total += chunk.length + (chunk[i] == 1 ? 1 : 0);
      }
      made.set(total);
      stayUntilRead();
    }, "vmgrid-indicators");
    allocating.setDaemon(true);
    allocating.start();
    while (made.get() == 0) {
      Thread.sleep(20);
    }
    Thread.sleep(ThreadCpu.MIN_INTERVAL_NANOS / 1_000_000 + 50);
    long grown = usage.allocatedBytes("indicators") - before;
    allocating.interrupt();
    assertThat(grown).as("bytes counted for the group").isGreaterThanOrEqualTo(made.get());
    assertThatThrownBy(() -> usage.allocatedBytes("jvm"))
        .hasMessageContaining("group: no allocations for jvm");
  }

  /** Keeps the calling thread alive until interrupted: its last stretch is lost when it ends. */
  private static void stayUntilRead() {
    try {
      Thread.sleep(60_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
