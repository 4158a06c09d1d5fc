package io.vmgrid.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

  @Test
  void namesOfMemberThreadsMapToTheirGroups() {
    assertThat(ThreadCpu.group("hz.vmgrid-1.partition-operation.thread-0")).isEqualTo("partition-operation");
    assertThat(ThreadCpu.group("hz.vmgrid-1.generic-operation.thread-1")).isEqualTo("generic-operation");
    assertThat(ThreadCpu.group("hz.vmgrid-1.IO.thread-in-2")).isEqualTo("io");
    assertThat(ThreadCpu.group("hz.vmgrid-1.event-3")).isEqualTo("event");
    assertThat(ThreadCpu.group("hz.vmgrid-1.response-0")).isEqualTo("response");
    assertThat(ThreadCpu.group("hz.vmgrid-1.jet.cooperative.thread-0")).isEqualTo("jet");
    assertThat(ThreadCpu.group("vmgrid-agent-agent-p7.2")).isEqualTo("agent");
    assertThat(ThreadCpu.group("vmgrid-worker-3")).isEqualTo("worker");
    assertThat(ThreadCpu.group("vmgrid-indicators")).isEqualTo("indicators");
    assertThat(ThreadCpu.group("vmgrid-mirror")).isEqualTo("mirror");
    assertThat(ThreadCpu.group("vmgrid-callback-12")).isEqualTo("callback");
    assertThat(ThreadCpu.group("main")).isEqualTo("other");
    assertThat(ThreadCpu.GROUPS).endsWith("jvm").doesNotHaveDuplicates();
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
      try {
        Thread.sleep(60_000); // stay alive until read: a thread's last stretch is lost when it ends
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
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
}
