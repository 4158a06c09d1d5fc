package io.vmgrid.rules.api;

/**
 * An amount of each {@link Resource}, in the inventory's units (for the Azure trace: the CoSpot units of
 * {@code server_vm_cores_ram.json}).
 *
 * @param cores cores, {@code >= 0}
 * @param memory memory, {@code >= 0}
 * @param ssd SSD space, {@code >= 0}
 */
public record Resources(long cores, long memory, long ssd) {

  /** Rejects negative amounts, naming the field. */
  public Resources {
    if (cores < 0) {
      throw new ValidationException("cores", "must be >= 0, was " + cores);
    }
    if (memory < 0) {
      throw new ValidationException("memory", "must be >= 0, was " + memory);
    }
    if (ssd < 0) {
      throw new ValidationException("ssd", "must be >= 0, was " + ssd);
    }
  }

  /** The amount of {@code r}. */
  public long get(Resource r) {
    return switch (r) {
      case CORES -> cores;
      case MEMORY -> memory;
      case SSD -> ssd;
    };
  }
}
