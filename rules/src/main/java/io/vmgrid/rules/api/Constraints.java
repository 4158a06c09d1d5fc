package io.vmgrid.rules.api;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A request's optional placement constraints.
 *
 * @param machineTypes allowed machine (hardware) type ids; empty means any
 * @param features features the machine type must offer; empty means none
 * @param availabilitySet the availability set whose VMs are spread over fault and update domains, or
 *     null
 * @param antiAffinityGroup no two VMs of this group share a server, or null
 * @param clusterPin the only cluster the VM may be placed in, or null
 */
public record Constraints(
    Set<String> machineTypes,
    Set<String> features,
    @Nullable String availabilitySet,
    @Nullable String antiAffinityGroup,
    @Nullable String clusterPin) {

  /** No constraints. */
  public static final Constraints NONE = new Constraints(Set.of(), Set.of(), null, null, null);

  /** Copies the sets and rejects blank ids, naming the field. */
  public Constraints {
    machineTypes = Set.copyOf(machineTypes);
    features = Set.copyOf(features);
    checkId("constraints.availabilitySet", availabilitySet);
    checkId("constraints.antiAffinityGroup", antiAffinityGroup);
    checkId("constraints.clusterPin", clusterPin);
    for (String m : machineTypes) {
      checkId("constraints.machineTypes", m);
    }
    for (String f : features) {
      checkId("constraints.features", f);
    }
  }

  private static void checkId(String field, @Nullable String value) {
    if (value != null && value.isBlank()) {
      throw new ValidationException(field, "must not be blank");
    }
  }

  /** A copy with {@code availabilitySet} set. */
  public Constraints withAvailabilitySet(@Nullable String set) {
    return new Constraints(machineTypes, features, set, antiAffinityGroup, clusterPin);
  }

  /** A copy with {@code antiAffinityGroup} set. */
  public Constraints withAntiAffinityGroup(@Nullable String group) {
    return new Constraints(machineTypes, features, availabilitySet, group, clusterPin);
  }

  /** A copy with {@code clusterPin} set. */
  public Constraints withClusterPin(@Nullable String cluster) {
    return new Constraints(machineTypes, features, availabilitySet, antiAffinityGroup, cluster);
  }

  /** A copy with {@code machineTypes} set. */
  public Constraints withMachineTypes(Set<String> types) {
    return new Constraints(types, features, availabilitySet, antiAffinityGroup, clusterPin);
  }

  /** A copy with {@code features} set. */
  public Constraints withFeatures(Set<String> required) {
    return new Constraints(machineTypes, required, availabilitySet, antiAffinityGroup, clusterPin);
  }
}
