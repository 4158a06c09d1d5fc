package io.vmgrid.rules.api;

import org.jspecify.annotations.Nullable;

/**
 * A VM as hosted on a server.
 *
 * @param id the VM id
 * @param tenant the owning tenant
 * @param used resources it holds on its server
 * @param priority regular or low
 * @param availabilitySet its availability set, or null
 * @param antiAffinityGroup its anti-affinity group, or null
 */
public record HostedVm(
    String id,
    String tenant,
    Resources used,
    Priority priority,
    @Nullable String availabilitySet,
    @Nullable String antiAffinityGroup) {

  /** Rejects blank ids, naming the field. */
  public HostedVm {
    if (id.isBlank()) {
      throw new ValidationException("id", "must not be blank");
    }
    if (tenant.isBlank()) {
      throw new ValidationException("tenant", "must not be blank");
    }
  }
}
