package io.vmgrid.client.api;

import java.time.Duration;

/**
 * A VM was released and its capacity returned to its server.
 *
 * @param vmId the VM
 * @param serverId the server that held it
 * @param latency time from submission to outcome
 */
public record Released(String vmId, String serverId, Duration latency) {}
