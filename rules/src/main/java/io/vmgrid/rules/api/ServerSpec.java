package io.vmgrid.rules.api;

/**
 * One server's static description, used to build an {@link Inventory}.
 *
 * @param id the server id, unique in the inventory
 * @param cluster the cluster id
 * @param rack the rack id, unique within its cluster
 * @param faultDomain the fault domain, numbered within the cluster ({@code >= 0})
 * @param updateDomain the update domain, numbered within the cluster ({@code >= 0})
 * @param machineType the machine type id
 */
public record ServerSpec(
    String id, String cluster, String rack, int faultDomain, int updateDomain, String machineType) {

  /** Rejects blank ids and negative domains, naming the field. */
  public ServerSpec {
    if (id.isBlank()) {
      throw new ValidationException("id", "must not be blank");
    }
    if (cluster.isBlank()) {
      throw new ValidationException("cluster", "must not be blank");
    }
    if (rack.isBlank()) {
      throw new ValidationException("rack", "must not be blank");
    }
    if (faultDomain < 0) {
      throw new ValidationException("faultDomain", "must be >= 0, was " + faultDomain);
    }
    if (updateDomain < 0) {
      throw new ValidationException("updateDomain", "must be >= 0, was " + updateDomain);
    }
  }
}
