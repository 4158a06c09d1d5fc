package io.vmgrid.client.cli;

import java.util.Locale;

/**
 * The Azure packing trace's resource units as cores and MiB. The trace (CoSpot's {@code
 * server_vm_cores_ram.json} and the {@code vm-sample} files) gives consistent but arbitrary units:
 * its common VM sizes are 100, 200, 400, 800 and 1600 core units with 7, 14, 28, 56 and 112 memory
 * units, and its servers 2,400 to 10,400 core units with 768 to 3,072 memory units. Read as 100 core
 * units to a core and 256 MiB to a memory unit, these are Azure's familiar sizes (1 core with 1.75
 * GiB, 4 cores with 14 GiB, 8 with 28) on servers of 24 to 104 cores with 192 to 768 GiB.
 *
 * <p>{@code inventory generate} and {@code replay} both convert with this scale, so a generated
 * inventory fits the trace's requests and the README's examples alike. A demand below one core (the
 * trace has a few of 1 to 99 core units) takes a whole core.
 *
 * @param scaled false to keep the trace's own units (both commands' {@code --trace-units})
 */
record TraceUnits(boolean scaled) {
  /** Trace core units in one core. */
  static final long CORE_UNITS_PER_CORE = 100;
  /** MiB in one trace memory unit. */
  static final long MIB_PER_MEMORY_UNIT = 256;

  /** Cores for {@code units} trace core units: at least one, rounded up. */
  long cores(long units) {
    if (!scaled || units <= 0) {
      return units;
    }
    return Math.max(1, (units + CORE_UNITS_PER_CORE - 1) / CORE_UNITS_PER_CORE);
  }

  /** MiB for {@code units} trace memory units. */
  long memoryMb(long units) {
    if (!scaled || units <= 0) {
      return units;
    }
    return units > Long.MAX_VALUE / MIB_PER_MEMORY_UNIT ? Long.MAX_VALUE
        : units * MIB_PER_MEMORY_UNIT;
  }

  /** The scale in words, for a command's output. */
  String describe() {
    return scaled
        ? String.format(Locale.ROOT, "the trace's units scaled: %d core units = 1 core, 1 memory"
            + " unit = %d MiB", CORE_UNITS_PER_CORE, MIB_PER_MEMORY_UNIT)
        : "in the trace's own units (not cores and MiB)";
  }
}
