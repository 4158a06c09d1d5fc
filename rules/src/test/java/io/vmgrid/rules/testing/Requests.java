package io.vmgrid.rules.testing;

import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.VmRequest;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Fluent builder of test requests: {@code aRequest().cores(4).tenant("t1").build()}. */
public final class Requests {
  private String id = "vm-1";
  private @Nullable String vmType;
  private long cores = 4;
  private long memory = 16;
  private long ssd = 0;
  private String tenant = "tenant-1";
  private Priority priority = Priority.REGULAR;
  private Constraints constraints = Constraints.NONE;

  private Requests() {}

  /** A 4-core, 16-memory regular request of tenant-1 without constraints. */
  public static Requests aRequest() {
    return new Requests();
  }

  public Requests id(String v) {
    id = v;
    return this;
  }

  public Requests vmType(String v) {
    vmType = v;
    return this;
  }

  public Requests cores(long v) {
    cores = v;
    return this;
  }

  public Requests memory(long v) {
    memory = v;
    return this;
  }

  public Requests ssd(long v) {
    ssd = v;
    return this;
  }

  public Requests tenant(String v) {
    tenant = v;
    return this;
  }

  public Requests low() {
    priority = Priority.LOW;
    return this;
  }

  public Requests availabilitySet(String v) {
    constraints = constraints.withAvailabilitySet(v);
    return this;
  }

  public Requests antiAffinity(String v) {
    constraints = constraints.withAntiAffinityGroup(v);
    return this;
  }

  public Requests pin(String cluster) {
    constraints = constraints.withClusterPin(cluster);
    return this;
  }

  public Requests machineTypes(String... ids) {
    constraints = constraints.withMachineTypes(Set.of(ids));
    return this;
  }

  public Requests features(String... f) {
    constraints = constraints.withFeatures(Set.of(f));
    return this;
  }

  public VmRequest build() {
    return new VmRequest(id, vmType, new Resources(cores, memory, ssd), tenant, priority,
        constraints);
  }
}
