package io.vmgrid.bench.e2e;

import static io.vmgrid.bench.e2e.E2eReport.round;
import static io.vmgrid.bench.e2e.E2eReport.round4;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vmgrid.client.api.InventorySummary;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A policy's figures of its measured replay, in the JSON's field order: what the client saw, what
 * the members did (their counters' growth over the replay), and how the inventory ended up. Part of
 * a {@link PolicyReport}, its fields written inline; null fields are left out of the JSON.
 *
 * @param meanMs client-observed latency, mean
 * @param p50Ms median (nearest rank)
 * @param p90Ms 90th percentile
 * @param p99Ms 99th percentile
 * @param maxMs largest
 * @param throughputPerSec allocations per second, first issue to last outcome
 * @param topHitRatio top-level cache hits over all lookups
 * @param conflictRate conflicts per allocation the members answered
 * @param packingDensity allocated cores over cores of non-empty servers (0..1)
 * @param placed placed outcomes
 * @param rejected rejected outcomes
 * @param failed failed outcomes
 * @param requests allocations replayed
 * @param seconds first issue to last outcome
 * @param maxIssueLagMs how late the issuer was at worst against the schedule
 * @param reasons outcome reasons of rejected and failed requests, counted
 * @param conflicts commits refused by a server's current state
 * @param forwardedRatio allocations routed to an agent on another member, per allocation
 * @param allocationsAnswered allocation requests the members answered
 * @param cacheLookups cache lookups by result
 * @param stagesMs mean milliseconds per member-side stage, in request order
 * @param stageCounts how many times each stage was recorded
 * @param invocationsPerAllocation Hazelcast's invocations per allocation (null if not exported)
 * @param operationsPerAllocation Hazelcast's operations per allocation (null likewise)
 * @param eventsPerAllocation events delivered per allocation (null likewise)
 * @param memberCpuMsPerAllocation the members' CPU per allocation (null if not exported)
 * @param cpuMsPerAllocation the same by thread group (null likewise)
 * @param memberAllocatedKbPerAllocation kilobytes the members' Java threads allocated on the heap
 *     per allocation (null if not exported): the garbage behind the collector's CPU in {@code jvm}
 * @param allocatedKbPerAllocation the same by thread group (null likewise)
 * @param emptyServers servers without a VM at the end
 * @param vms VMs at the end
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ReplayFigures(double meanMs, double p50Ms, double p90Ms, double p99Ms, double maxMs,
    double throughputPerSec, double topHitRatio, double conflictRate, double packingDensity,
    int placed, int rejected, int failed, int requests, double seconds, double maxIssueLagMs,
    Map<String, Integer> reasons, long conflicts, double forwardedRatio, long allocationsAnswered,
    CacheLookups cacheLookups, Map<String, Double> stagesMs, Map<String, Long> stageCounts,
    @Nullable Double invocationsPerAllocation, @Nullable Double operationsPerAllocation,
    @Nullable Double eventsPerAllocation, @Nullable Double memberCpuMsPerAllocation,
    @Nullable Map<String, Double> cpuMsPerAllocation,
    @Nullable Double memberAllocatedKbPerAllocation,
    @Nullable Map<String, Double> allocatedKbPerAllocation, int emptyServers, int vms) {

  /**
   * Cache lookups by result, summed over members.
   *
   * @param topHit answered by the top-level (request-type) cache
   * @param partialHit answered from cached rule results
   * @param miss evaluated every rule
   */
  record CacheLookups(long topHit, long partialHit, long miss) {}

  /** The figures of {@code replay}, the members' {@code metrics} over it and the {@code inventory}. */
  static ReplayFigures of(Replayer.Replay replay, GridMetrics metrics, InventorySummary inventory) {
    LatencySummary l = replay.latency();
    int requests = l.count();
    Map<String, Double> stagesMs = new LinkedHashMap<>();
    metrics.stagesMs().forEach((k, v) -> stagesMs.put(k, round4(v)));
    boolean gridWork = metrics.invocations() >= 0 && requests > 0;
    boolean cpu = !metrics.cpuSeconds().isEmpty() && requests > 0;
    Map<String, Double> cpuMsPerAllocation = new LinkedHashMap<>();
    if (cpu) {
      metrics.cpuSeconds().forEach((k, v) -> cpuMsPerAllocation.put(k, round4(1000 * v / requests)));
    }
    boolean heap = !metrics.allocatedBytes().isEmpty() && requests > 0;
    Map<String, Double> kbPerAllocation = new LinkedHashMap<>();
    if (heap) {
      metrics.allocatedBytes().forEach((k, v) -> kbPerAllocation.put(k, round(v / 1024 / requests)));
    }
    return new ReplayFigures(round(l.meanMs()), round(l.p50Ms()), round(l.p90Ms()),
        round(l.p99Ms()), round(l.maxMs()), round(replay.throughput()),
        round4(metrics.topHitRatio()), round4(metrics.conflictRate()),
        round4(inventory.packingDensityPercent() / 100), replay.placed(), replay.rejected(),
        replay.failed(), requests, round(replay.seconds()), round(replay.maxIssueLagMs()),
        replay.reasons(), metrics.conflicts(),
        requests == 0 ? 0 : round4(metrics.forwarded() / (double) requests),
        metrics.allocations(),
        new CacheLookups(metrics.topHits(), metrics.partialHits(), metrics.misses()), stagesMs,
        metrics.stageCounts(),
        gridWork ? round(metrics.invocations() / (double) requests) : null,
        gridWork ? round(metrics.operations() / (double) requests) : null,
        gridWork ? round(metrics.events() / (double) requests) : null,
        cpu ? round(1000 * metrics.cpuSecondsTotal() / requests) : null,
        cpu ? cpuMsPerAllocation : null,
        heap ? round(metrics.allocatedBytesTotal() / 1024 / requests) : null,
        heap ? kbPerAllocation : null,
        inventory.emptyServers(), inventory.vms());
  }
}
