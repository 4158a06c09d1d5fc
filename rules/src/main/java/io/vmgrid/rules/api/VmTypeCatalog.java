package io.vmgrid.rules.api;

import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * VM type sizes per machine type, as fractions of one machine of that type (the {@code vmType} table of
 * the Azure trace).
 *
 * @param fractions VM type id → machine type id → fraction used of each resource
 */
public record VmTypeCatalog(Map<String, Map<String, Fraction>> fractions) {

  /** An empty catalog. */
  public static final VmTypeCatalog EMPTY = new VmTypeCatalog(Map.of());

  /** Deep-copies the map. */
  public VmTypeCatalog {
    Map<String, Map<String, Fraction>> copy = new HashMap<>();
    fractions.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
    fractions = Map.copyOf(copy);
  }

  /** The fraction of {@code machineType} that {@code vmType} uses, or null if it cannot run there. */
  public @Nullable Fraction fraction(String vmType, String machineType) {
    Map<String, Fraction> byMachine = fractions.get(vmType);
    return byMachine == null ? null : byMachine.get(machineType);
  }

  /** Whether {@code vmType} is known. */
  public boolean knows(String vmType) {
    return fractions.containsKey(vmType);
  }

  /**
   * The fraction of one machine a VM type uses, per resource, each in {@code [0, 1]}.
   *
   * @param cores fraction of cores
   * @param memory fraction of memory
   * @param ssd fraction of SSD
   */
  public record Fraction(double cores, double memory, double ssd) {

    /** Rejects values outside {@code [0, 1]}, naming the field. */
    public Fraction {
      check("cores", cores);
      check("memory", memory);
      check("ssd", ssd);
    }

    private static void check(String field, double v) {
      if (!(v >= 0 && v <= 1)) {
        throw new ValidationException(field, "must be in [0, 1], was " + v);
      }
    }

    /** The demand on a machine of {@code capacity}: each fraction times capacity, rounded up. */
    public Resources on(Resources capacity) {
      return new Resources(
          (long) Math.ceil(cores * capacity.cores() - 1e-9),
          (long) Math.ceil(memory * capacity.memory() - 1e-9),
          (long) Math.ceil(ssd * capacity.ssd() - 1e-9));
    }
  }
}
