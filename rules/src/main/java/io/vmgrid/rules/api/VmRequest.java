package io.vmgrid.rules.api;

import org.jspecify.annotations.Nullable;

/**
 * A request to place one VM.
 *
 * <p>The demand is {@code demand}, unless {@code vmType} names a type in the inventory's
 * {@link VmTypeCatalog} that defines a size for the server's machine type; then that size is used
 * (a VM type's demand may depend on the hardware type).
 *
 * @param id the VM id
 * @param vmType the VM type id, or null for explicit demands only
 * @param demand explicit demand per resource; at least one resource must be positive
 * @param tenant the owning tenant
 * @param priority regular or low
 * @param constraints placement constraints ({@link Constraints#NONE} for none)
 */
public record VmRequest(
    String id,
    @Nullable String vmType,
    Resources demand,
    String tenant,
    Priority priority,
    Constraints constraints) {

  /** Validates every field; a {@link ValidationException} names the first bad one. */
  @SuppressWarnings("NullAway") // null checks on non-null parameters are the point here
  public VmRequest {
    requireId("id", id);
    if (vmType != null && vmType.isBlank()) {
      throw new ValidationException("vmType", "must not be blank");
    }
    if (demand == null) {
      throw new ValidationException("demand", "is required");
    }
    if (demand.cores() == 0 && demand.memory() == 0 && demand.ssd() == 0 && vmType == null) {
      throw new ValidationException("demand", "must be positive for at least one resource");
    }
    requireId("tenant", tenant);
    if (priority == null) {
      throw new ValidationException("priority", "is required");
    }
    if (constraints == null) {
      throw new ValidationException("constraints", "is required (use Constraints.NONE)");
    }
  }

  private static void requireId(String field, @Nullable String value) {
    if (value == null) {
      throw new ValidationException(field, "is required");
    }
    if (value.isBlank()) {
      throw new ValidationException(field, "must not be blank");
    }
  }

  /** A request with explicit demands, regular priority and no constraints. */
  public static VmRequest of(String id, String tenant, Resources demand) {
    return new VmRequest(id, null, demand, tenant, Priority.REGULAR, Constraints.NONE);
  }

  /** A copy with other constraints. */
  public VmRequest withConstraints(Constraints c) {
    return new VmRequest(id, vmType, demand, tenant, priority, c);
  }

  /** A copy with another id. */
  public VmRequest withId(String newId) {
    return new VmRequest(newId, vmType, demand, tenant, priority, constraints);
  }

  /** The VM this request places, as the inventory records it once placed with {@code used}. */
  public HostedVm toHostedVm(Resources used) {
    return new HostedVm(
        id, tenant, used, priority, constraints.availabilitySet(), constraints.antiAffinityGroup());
  }
}
