package io.vmgrid.bench.e2e;

import io.vmgrid.client.api.InventorySummary;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What {@link E2eRun} measured for one policy on its cluster, as read: the replay as the client saw
 * it, the members' counters over the replay and over the quiet window before it, the inventory after
 * it, and the conditions around it. {@link PolicyReport#of} turns it into the report's figures.
 *
 * @param name the policy
 * @param cluster the cluster's name
 * @param warmup warm-up allocations before the measured ones ({@code --warmup})
 * @param replay the measured replay
 * @param metrics the members' counters' growth over the replay, summed over members
 * @param quiet the members' counters' growth over the quiet window, summed over members
 * @param quietSeconds how long the quiet window lasted
 * @param windowSeconds how long the replay's measurement window lasted (replay start to scrape)
 * @param clientCpuNanos this process's CPU time over the replay (-1 where the platform does not tell)
 * @param settled how settling went, or null without settling
 * @param inventory the client's inventory summary after the replay
 * @param endScrape every member's metrics at the end of the replay
 * @param loadAverageBefore the machine's 1-minute load average before the cluster started
 * @param loadAverageAfter the same after the replay
 * @param loadSeconds how long loading the inventory took, every member's mirror included
 */
record Measurement(String name, String cluster, int warmup, Replayer.Replay replay,
    GridMetrics metrics, GridMetrics quiet, double quietSeconds, double windowSeconds,
    long clientCpuNanos, @Nullable Settled settled, InventorySummary inventory,
    List<List<PromText.Sample>> endScrape, double loadAverageBefore, double loadAverageAfter,
    double loadSeconds) {

  /**
   * How settling went.
   *
   * @param seconds how long it took, draining included
   * @param jvmCores the members' 'jvm' cores in its last window
   */
  record Settled(double seconds, double jvmCores) {}
}
