package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.Resources;

/**
 * A server with free cores that no template in demand can use (its free capacity is stranded).
 *
 * @param serverId the server
 * @param clusterId its cluster
 * @param free its free capacity
 */
public record StrandedServer(String serverId, String clusterId, Resources free) {}
