package io.vmgrid.client.api;

import io.vmgrid.client.wire.Eviction;
import java.time.Instant;

/**
 * A VM the grid took away from its owner, as the eviction log records it ({@link
 * AllocationClient#evictions}, {@link AllocationClient#addEvictionListener}).
 *
 * @param vmId the evicted VM
 * @param requestId the request that had placed it
 * @param tenantId its owner
 * @param serverId the server it was evicted from
 * @param priority its priority ({@code LOW} when preempted)
 * @param cores cores it held
 * @param memoryMb memory it held, MiB
 * @param reason {@code PREEMPTED} (a regular request needed its capacity and nothing else fit) or
 *     {@code OVER_CAPACITY_AFTER_MERGE} (a network split healed with both sides having placed on
 *     the server)
 * @param byRequestId the request whose placement evicted it; empty for a merge
 * @param byVmId the VM that request placed; empty for a merge
 * @param at when
 */
public record EvictedVm(String vmId, String requestId, String tenantId, String serverId,
    String priority, long cores, long memoryMb, String reason, String byRequestId, String byVmId,
    Instant at) {

  static EvictedVm of(Eviction e) {
    return new EvictedVm(e.vmId(), e.requestId(), e.tenantId(), e.serverId(), e.priority(),
        e.cores(), e.memoryMb(), e.reason(), e.byRequestId(), e.byVmId(),
        Instant.ofEpochMilli(e.atMillis()));
  }
}
