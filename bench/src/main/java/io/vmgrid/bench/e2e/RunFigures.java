package io.vmgrid.bench.e2e;

import static io.vmgrid.bench.e2e.E2eReport.round;
import static io.vmgrid.bench.e2e.E2eReport.round4;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A policy's figures around its measured replay, in the JSON's field order: the members' CPU and
 * grid work against what the quiet cluster does on its own, how settling went, the client's CPU,
 * and the conditions the run had (warm-up, the machine's load, the cluster). Part of a
 * {@link PolicyReport}, its fields written inline; null fields are left out of the JSON.
 *
 * @param memberCpuCores the members' CPU over the replay's window, in cores (null if not exported)
 * @param idleInvocationsPerSecond the quiet cluster's invocations per second (null if not exported)
 * @param invocationsPerAllocationNet invocations per allocation less the quiet rate (null likewise)
 * @param idleMemberCpuCores the quiet cluster's CPU in cores (null if not exported)
 * @param idleCpuCores the same by thread group (null likewise)
 * @param memberCpuMsPerAllocationNet the members' CPU per allocation less the quiet rate (null
 *     likewise)
 * @param gcPauses the members' collector pauses during the replay, summed over members (null if
 *     not exported): each stops a member's threads, and a request in flight there waits it out
 * @param gcPauseMs the milliseconds those pauses lasted, summed (null likewise)
 * @param settleSeconds how long settling took (null without settling)
 * @param jvmCoresAtStart the members' 'jvm' cores in settling's last window (null likewise)
 * @param clientCpuMsPerAllocation this process's CPU per allocation (null where not known)
 * @param warmup warm-up allocations before the measured ones
 * @param loadAverageBefore the machine's 1-minute load average before the cluster started
 * @param loadAverageAfter the same after the replay
 * @param loadSeconds how long loading the inventory took
 * @param cluster the cluster's name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record RunFigures(@Nullable Double memberCpuCores, @Nullable Double idleInvocationsPerSecond,
    @Nullable Double invocationsPerAllocationNet, @Nullable Double idleMemberCpuCores,
    @Nullable Map<String, Double> idleCpuCores, @Nullable Double memberCpuMsPerAllocationNet,
    @Nullable Long gcPauses, @Nullable Double gcPauseMs, @Nullable Double settleSeconds,
    @Nullable Double jvmCoresAtStart,
    @Nullable Double clientCpuMsPerAllocation, int warmup, double loadAverageBefore,
    double loadAverageAfter, double loadSeconds, String cluster) {

  /** The figures of measurement {@code m}. */
  static RunFigures of(Measurement m) {
    GridMetrics metrics = m.metrics();
    GridMetrics quiet = m.quiet();
    int requests = m.replay().latency().count();
    double window = m.windowSeconds();
    double quietSeconds = m.quietSeconds();
    boolean gridWork = quiet.invocations() >= 0 && requests > 0;
    double background = gridWork ? quiet.invocations() / quietSeconds : 0;
    boolean idleCpu = !quiet.cpuSeconds().isEmpty() && requests > 0;
    Map<String, Double> idleCpuCores = new LinkedHashMap<>();
    if (idleCpu) {
      quiet.cpuSeconds().forEach((k, v) -> idleCpuCores.put(k, round4(v / quietSeconds)));
    }
    Measurement.Settled settled = m.settled();
    return new RunFigures(
        metrics.cpuSeconds().isEmpty() ? null : round(metrics.cpuSecondsTotal() / window),
        gridWork ? round(background) : null,
        gridWork ? round(Math.max(0, metrics.invocations() - background * window) / requests)
            : null,
        idleCpu ? round4(quiet.cpuSecondsTotal() / quietSeconds) : null,
        idleCpu ? idleCpuCores : null,
        idleCpu ? round(Math.max(0, 1000 * (metrics.cpuSecondsTotal()
            - quiet.cpuSecondsTotal() / quietSeconds * window)) / requests) : null,
        metrics.gcPauses() >= 0 ? metrics.gcPauses() : null,
        metrics.gcPauses() >= 0 ? round(1000 * metrics.gcPauseSeconds()) : null,
        settled == null ? null : round(settled.seconds()),
        settled == null ? null : round(settled.jvmCores()),
        m.clientCpuNanos() >= 0 && requests > 0
            ? round(m.clientCpuNanos() / 1e6 / requests) : null,
        m.warmup(), round(m.loadAverageBefore()), round(m.loadAverageAfter()),
        round(m.loadSeconds()), m.cluster());
  }
}
