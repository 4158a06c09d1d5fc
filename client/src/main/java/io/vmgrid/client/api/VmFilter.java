package io.vmgrid.client.api;

import io.vmgrid.client.wire.Checks;
import org.jspecify.annotations.Nullable;

/**
 * Which placed VMs {@link AllocationClient#vms(VmFilter)} lists; every non-empty field must match
 * ({@link #any()} matches all).
 *
 * @param tenantId only this tenant's VMs (empty: any)
 * @param serverId only the VMs on this server (empty: any)
 * @param vmIdPrefix only VMs whose id starts with this (empty: any)
 * @param requestIdPrefix only VMs placed by requests whose id starts with this (empty: any)
 */
public record VmFilter(String tenantId, String serverId, String vmIdPrefix,
    String requestIdPrefix) {

  /** Validates the fields, naming the bad one. */
  public VmFilter {
    check(Checks.optionalIdProblem("tenantId", tenantId));
    check(Checks.optionalIdProblem("serverId", serverId));
    check(Checks.optionalIdProblem("vmIdPrefix", vmIdPrefix));
    check(Checks.optionalIdProblem("requestIdPrefix", requestIdPrefix));
  }

  /** Every VM. */
  public static VmFilter any() {
    return new VmFilter("", "", "", "");
  }

  /** The same filter, only for tenant {@code id} (empty: any). */
  public VmFilter tenant(String id) {
    return new VmFilter(id, serverId, vmIdPrefix, requestIdPrefix);
  }

  /** The same filter, only for the VMs on server {@code id} (empty: any). */
  public VmFilter server(String id) {
    return new VmFilter(tenantId, id, vmIdPrefix, requestIdPrefix);
  }

  /** The same filter, only for VM ids starting with {@code prefix} (empty: any). */
  public VmFilter vmIdPrefix(String prefix) {
    return new VmFilter(tenantId, serverId, prefix, requestIdPrefix);
  }

  /** The same filter, only for request ids starting with {@code prefix} (empty: any). */
  public VmFilter requestIdPrefix(String prefix) {
    return new VmFilter(tenantId, serverId, vmIdPrefix, prefix);
  }

  private static void check(@Nullable String problem) {
    if (problem != null) {
      throw InvalidRequestException.of(problem);
    }
  }
}
