package io.vmgrid.node.metrics;

import com.sun.management.OperatingSystemMXBean;
import io.vmgrid.node.time.NodeClock;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * CPU time of this member's process, split by thread group: which part of the member (Hazelcast's
 * partition threads, its I/O and event threads, the Jet job, the allocation agents, ...) used the
 * processor. Exported as {@code vmgrid_thread_cpu_seconds_total{group}}, so a benchmark can divide
 * a replay's CPU by its allocations and say where it went. The bytes the same Java threads
 * allocated on the heap are counted alike ({@code vmgrid_thread_allocated_bytes_total{group}},
 * every group but {@code jvm}): the garbage that the collector's share of {@code jvm} is spent on.
 *
 * <p>Java threads are read through {@link ThreadMXBean#getThreadCpuTime}: each thread's growth
 * since the previous reading is added to its group, so the counters only grow. The JVM's own
 * threads (JIT compilers, garbage collector, VM thread) are not visible there; they, and whatever
 * a Java thread used between its last reading and its end, make up the {@code jvm} group: the
 * process's CPU time less the Java groups. Readings happen when the metrics are scraped and at most
 * once per {@link #MIN_INTERVAL_NANOS}.
 */
final class ThreadCpu {
  /** The groups, in the order they are exported; {@code jvm} is the remainder of the process. */
  static final List<String> GROUPS = List.of("partition-operation", "generic-operation", "io",
      "event", "response", "jet", "intake", "agent", "indicators", "mirror", "callback", "other",
      "jvm");

  static final long MIN_INTERVAL_NANOS = 200_000_000L;

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final @Nullable OperatingSystemMXBean os;
  private final Map<Long, Long> lastByThread = new HashMap<>();
  private final long[] totals = new long[GROUPS.size()];
  /** HotSpot's extension, when it can count allocated bytes per thread; else null. */
  private final com.sun.management.@Nullable ThreadMXBean allocations;
  private final Map<Long, Long> lastBytesByThread = new HashMap<>();
  private final long[] bytes = new long[GROUPS.size()];
  private final NodeClock clock;
  private long lastReadNanos;
  private boolean read;

  ThreadCpu() {
    this(NodeClock.system());
  }

  /** Reads the threads at most once per {@link #MIN_INTERVAL_NANOS} of {@code clock}. */
  ThreadCpu(NodeClock clock) {
    this.clock = clock;
    java.lang.management.OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
    this.os = bean instanceof OperatingSystemMXBean sun ? sun : null;
    if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
      threads.setThreadCpuTimeEnabled(true);
    }
    com.sun.management.ThreadMXBean sun = threads instanceof com.sun.management.ThreadMXBean t
        && t.isThreadAllocatedMemorySupported() ? t : null;
    if (sun != null && !sun.isThreadAllocatedMemoryEnabled()) {
      sun.setThreadAllocatedMemoryEnabled(true);
    }
    this.allocations = sun;
  }

  /** Whether this JVM counts the bytes each thread allocates (HotSpot does). */
  boolean allocationsSupported() {
    return allocations != null;
  }

  /** Whether this JVM can measure per-thread CPU time (HotSpot on Linux, macOS, Windows can). */
  boolean supported() {
    return threads.isThreadCpuTimeSupported() && os != null;
  }

  /** Hazelcast's threads ({@code hz.<instance>.<pool>...}): a fragment of the name, its group. */
  private static final List<Map.Entry<String, String>> HAZELCAST = List.of(
      Map.entry("partition-operation", "partition-operation"),
      Map.entry("generic-operation", "generic-operation"),
      Map.entry(".IO.", "io"), Map.entry("TcpServer", "io"), Map.entry(".event-", "event"),
      Map.entry(".response", "response"), Map.entry(".jet.", "jet"),
      // named executors run on Hazelcast's shared cached pool: on a member, the intake, forward
      // and query tasks (Hazelcast's own use of the pool is small)
      Map.entry(".cached.", "intake"), Map.entry(".async.", "callback"));

  /** This project's threads: a name prefix, its group. */
  private static final List<Map.Entry<String, String>> VMGRID = List.of(
      Map.entry("vmgrid-agent-", "agent"),
      Map.entry("vmgrid-indicators", "indicators"), Map.entry("vmgrid-mirror", "mirror"),
      Map.entry("vmgrid-callback", "callback"));

  /** The group a thread of this name belongs to (first matching rule; else {@code other}). */
  static String group(String name) {
    boolean hazelcast = name.startsWith("hz.");
    for (Map.Entry<String, String> rule : hazelcast ? HAZELCAST : VMGRID) {
      if (hazelcast ? name.contains(rule.getKey()) : name.startsWith(rule.getKey())) {
        return rule.getValue();
      }
    }
    return "other";
  }

  /** CPU seconds {@code group} has used since the process started (as far as it was seen). */
  synchronized double seconds(String group) {
    refresh();
    int i = GROUPS.indexOf(group);
    if (i < 0) {
      throw new IllegalArgumentException("group: unknown " + group + "; one of " + GROUPS);
    }
    return totals[i] / 1e9;
  }

  /**
   * Bytes the Java threads of {@code group} have allocated since the process started (as far as
   * they were seen); not for {@code jvm}, whose threads are not listed.
   */
  synchronized long allocatedBytes(String group) {
    refresh();
    int i = GROUPS.indexOf(group);
    if (i < 0 || i == GROUPS.size() - 1) {
      throw new IllegalArgumentException("group: no allocations for " + group + "; one of "
          + GROUPS.subList(0, GROUPS.size() - 1));
    }
    return bytes[i];
  }

  /**
   * How much thread {@code id}'s counter grew since {@code last} saw it ({@code now} if it is
   * new), never negative; records {@code now} in {@code seen}.
   */
  private static long grown(Map<Long, Long> last, Map<Long, Long> seen, long id, long now) {
    Long before = last.get(id);
    seen.put(id, now);
    return Math.max(0, now - (before == null ? 0 : before));
  }

  private void refresh() {
    long now = clock.nanoTime();
    if (read && now - lastReadNanos < MIN_INTERVAL_NANOS) {
      return;
    }
    read = true;
    lastReadNanos = now;
    long[] ids = threads.getAllThreadIds();
    ThreadInfo[] infos = threads.getThreadInfo(ids);
    com.sun.management.ThreadMXBean a = allocations;
    long @Nullable [] allocated = a == null ? null : a.getThreadAllocatedBytes(ids);
    Map<Long, Long> seenCpu = new HashMap<>(ids.length * 2);
    Map<Long, Long> seenBytes = new HashMap<>(ids.length * 2);
    long java = 0;
    for (int k = 0; k < ids.length; k++) {
      ThreadInfo info = infos[k];
      if (info == null) {
        continue; // ended meanwhile
      }
      int g = GROUPS.indexOf(group(info.getThreadName()));
      long cpu = threads.getThreadCpuTime(ids[k]);
      if (cpu >= 0) { // else not measurable
        totals[g] += grown(lastByThread, seenCpu, ids[k], cpu);
      }
      if (allocated != null && allocated[k] >= 0) {
        bytes[g] += grown(lastBytesByThread, seenBytes, ids[k], allocated[k]);
      }
    }
    lastByThread.clear();
    lastByThread.putAll(seenCpu);
    lastBytesByThread.clear();
    lastBytesByThread.putAll(seenBytes);
    for (int g = 0; g < GROUPS.size() - 1; g++) {
      java += totals[g];
    }
    OperatingSystemMXBean o = os;
    long process = o == null ? -1 : o.getProcessCpuTime();
    int jvm = GROUPS.size() - 1;
    if (process >= 0) {
      // monotonic: the process grows at least as much as the Java threads between two readings
      totals[jvm] = Math.max(totals[jvm], process - java);
    }
  }
}
