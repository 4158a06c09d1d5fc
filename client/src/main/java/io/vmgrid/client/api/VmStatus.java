package io.vmgrid.client.api;

/**
 * Where a VM is, as the {@code placements} map records it.
 *
 * @param vmId the VM
 * @param placed true once committed on {@code serverId}; false while its request is in progress
 * @param serverId the server holding it (empty while in progress)
 * @param tenantId its owner
 * @param cores cores it holds
 * @param memoryMb memory it holds, MiB
 * @param requestId the request that placed it
 */
public record VmStatus(
    String vmId, boolean placed, String serverId, String tenantId, long cores, long memoryMb,
    String requestId) {}
