package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.ValidationException;

/**
 * One migration of a consolidation plan: place VM {@code vmId} on {@code toServerId}, then release it
 * from {@code fromServerId}.
 *
 * @param vmId the VM
 * @param fromServerId where it is now
 * @param toServerId where it goes
 * @param demand what it uses (the same on the target: moves keep the machine type)
 */
public record Move(String vmId, String fromServerId, String toServerId, Resources demand) {

  /** Rejects blank ids and a move to the same server, naming the field. */
  public Move {
    if (vmId.isBlank()) {
      throw new ValidationException("vmId", "must not be blank");
    }
    if (fromServerId.isBlank()) {
      throw new ValidationException("fromServerId", "must not be blank");
    }
    if (toServerId.isBlank()) {
      throw new ValidationException("toServerId", "must not be blank");
    }
    if (fromServerId.equals(toServerId)) {
      throw new ValidationException("toServerId", "must differ from fromServerId " + fromServerId);
    }
  }
}
