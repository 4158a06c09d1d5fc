package io.vmgrid.client.api;

/**
 * Where a VM is, as the {@code placements} map records it.
 *
 * @param vmId the VM
 * @param serverId the server holding it
 * @param tenantId its owner
 * @param cores cores it holds
 * @param memoryMb memory it holds, MiB
 * @param requestId the request that placed it
 */
public record VmStatus(
    String vmId, String serverId, String tenantId, long cores, long memoryMb,
    String requestId) {}
