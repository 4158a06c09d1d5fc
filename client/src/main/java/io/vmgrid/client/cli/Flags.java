package io.vmgrid.client.cli;

import io.vmgrid.client.api.InvalidRequestException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Errors in the command line's words: the library names what is wrong by its field ({@code
 * memoryMb: must be > 0}), the user typed a flag ({@code --memory-mb}).
 */
final class Flags {
  /** The fields of a {@code VmRequest} and the flags that set them. */
  static final Map<String, String> REQUEST = Map.of(
      "requestId", "--request-id",
      "vmId", "--vm-id",
      "tenantId", "--tenant",
      "cores", "--cores",
      "memoryMb", "--memory-mb",
      "priority", "--priority",
      "availabilitySet", "--availability-set",
      "antiAffinityGroup", "--anti-affinity-group",
      "clusterPin", "--cluster");

  private Flags() {}

  /** {@code e} with its field replaced by the flag {@code flags} maps it to, if any. */
  static InvalidRequestException renamed(InvalidRequestException e, Map<String, String> flags) {
    String flag = flags.get(e.field());
    String message = String.valueOf(e.getMessage());
    if (flag == null || !message.startsWith(e.field())) {
      return e;
    }
    return new InvalidRequestException(flag, flag + message.substring(e.field().length()));
  }

  /** Runs {@code action}; an {@link InvalidRequestException} it throws names the flag instead. */
  static <T> T naming(Map<String, String> flags, Supplier<T> action) {
    try {
      return action.get();
    } catch (InvalidRequestException e) {
      throw renamed(e, flags);
    }
  }
}
