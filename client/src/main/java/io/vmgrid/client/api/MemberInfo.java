package io.vmgrid.client.api;

/**
 * A member of the cluster as the client sees it.
 *
 * @param address where clients reach it, {@code host:port}
 * @param uuid its member id
 * @param version its Hazelcast version
 * @param oldest whether it is the oldest member (the one that coordinates the cluster)
 */
public record MemberInfo(String address, String uuid, String version, boolean oldest) {}
