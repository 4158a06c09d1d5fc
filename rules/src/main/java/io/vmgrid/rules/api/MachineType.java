package io.vmgrid.rules.api;

import java.util.Set;

/**
 * A machine (hardware) type: its capacity and the features it offers.
 *
 * @param id the machine type id (in the Azure trace: {@code machineId})
 * @param capacity capacity per resource of one server of this type
 * @param features feature names (e.g. {@code "accelerated-networking"})
 */
public record MachineType(String id, Resources capacity, Set<String> features) {

  /** Copies {@code features} and rejects a blank id. */
  public MachineType {
    if (id.isBlank()) {
      throw new ValidationException("id", "must not be blank");
    }
    features = Set.copyOf(features);
  }
}
