package io.vmgrid.client.api;

import io.vmgrid.client.wire.Checks;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A request to place one VM. Construction validates every field and throws
 * {@link InvalidRequestException} naming the first bad one, so an invalid request never leaves the
 * client.
 *
 * @param requestId unique id of this request; reuse it to retry idempotently
 * @param vmId the VM's id; a VM id is placed at most once
 * @param tenantId the VM's owner
 * @param cores cores demanded, 1..{@value Checks#MAX_CORES}
 * @param memoryMb memory demanded in MiB
 * @param priority regular or low (evictable)
 * @param availabilitySet availability set: its VMs are spread over fault and update domains (empty:
 *     none)
 * @param antiAffinityGroup anti-affinity group: no two of its VMs share a server (empty: none)
 * @param clusterPin the only cluster the VM may be placed in (empty: any)
 */
public record VmRequest(
    String requestId, String vmId, String tenantId, int cores, long memoryMb, Priority priority,
    String availabilitySet, String antiAffinityGroup, String clusterPin) {

  /** A request without placement constraints. */
  public VmRequest(
      String requestId, String vmId, String tenantId, int cores, long memoryMb, Priority priority) {
    this(requestId, vmId, tenantId, cores, memoryMb, priority, "", "", "");
  }

  /** Validates all fields; null constraints mean none. */
  @SuppressWarnings("NullAway") // null checks on non-null parameters are the point here
  public VmRequest {
    check(Checks.idProblem("requestId", requestId));
    check(Checks.idProblem("vmId", vmId));
    check(Checks.idProblem("tenantId", tenantId));
    check(Checks.coresProblem(cores));
    check(Checks.memoryProblem(memoryMb));
    if (priority == null) {
      throw new InvalidRequestException("priority", "priority: is required");
    }
    availabilitySet = availabilitySet == null ? "" : availabilitySet;
    antiAffinityGroup = antiAffinityGroup == null ? "" : antiAffinityGroup;
    clusterPin = clusterPin == null ? "" : clusterPin;
    check(Checks.optionalIdProblem("availabilitySet", availabilitySet));
    check(Checks.optionalIdProblem("antiAffinityGroup", antiAffinityGroup));
    check(Checks.optionalIdProblem("clusterPin", clusterPin));
  }

  /** A builder; {@code requestId} defaults to a random UUID and {@code priority} to regular. */
  public static Builder builder() {
    return new Builder();
  }

  private static void check(@Nullable String problem) {
    if (problem != null) {
      throw InvalidRequestException.of(problem);
    }
  }

  /** Builds a {@link VmRequest}; {@link #build()} validates. */
  public static final class Builder {
    private @Nullable String requestId;
    private @Nullable String vmId;
    private @Nullable String tenantId;
    private int cores;
    private long memoryMb;
    private Priority priority = Priority.REGULAR;
    private String availabilitySet = "";
    private String antiAffinityGroup = "";
    private String clusterPin = "";

    private Builder() {}

    /** Sets the request id (default: a random UUID). */
    public Builder requestId(String id) {
      this.requestId = id;
      return this;
    }

    /** Puts the VM into an availability set (spread over fault and update domains). */
    public Builder availabilitySet(String set) {
      this.availabilitySet = set;
      return this;
    }

    /** Puts the VM into an anti-affinity group (never two of the group on one server). */
    public Builder antiAffinityGroup(String group) {
      this.antiAffinityGroup = group;
      return this;
    }

    /** Pins the VM to one cluster. */
    public Builder clusterPin(String cluster) {
      this.clusterPin = cluster;
      return this;
    }

    /** Sets the VM id (required). */
    public Builder vmId(String id) {
      this.vmId = id;
      return this;
    }

    /** Sets the tenant id (required). */
    public Builder tenantId(String id) {
      this.tenantId = id;
      return this;
    }

    /** Sets the cores demanded (required, > 0). */
    public Builder cores(int n) {
      this.cores = n;
      return this;
    }

    /** Sets the memory demanded in MiB (required, > 0). */
    public Builder memoryMb(long mb) {
      this.memoryMb = mb;
      return this;
    }

    /** Sets the priority (default regular). */
    public Builder priority(Priority p) {
      this.priority = p;
      return this;
    }

    /** Validates and builds; throws {@link InvalidRequestException} naming the first bad field. */
    @SuppressWarnings("NullAway") // nulls are passed on on purpose: the record reports them by name
    public VmRequest build() {
      String id = requestId == null ? UUID.randomUUID().toString() : requestId;
      return new VmRequest(id, vmId, tenantId, cores, memoryMb, priority, availabilitySet,
          antiAffinityGroup, clusterPin);
    }
  }
}
