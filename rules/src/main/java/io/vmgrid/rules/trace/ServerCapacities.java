package io.vmgrid.rules.trace;

import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * CoSpot's concrete capacities from {@code server_vm_cores_ram.json}.
 *
 * @param serverCores machine type id → cores
 * @param serverRam machine type id → memory
 * @param vmCores VM type id → cores
 * @param vmRam VM type id → memory
 */
public record ServerCapacities(
    SortedMap<Integer, Long> serverCores,
    SortedMap<Integer, Long> serverRam,
    SortedMap<Integer, Long> vmCores,
    SortedMap<Integer, Long> vmRam) {

  /** Copies the maps. */
  public ServerCapacities {
    serverCores = new TreeMap<>(serverCores);
    serverRam = new TreeMap<>(serverRam);
    vmCores = new TreeMap<>(vmCores);
    vmRam = new TreeMap<>(vmRam);
  }

  /**
   * The machine types with both cores and memory given, ids as decimal strings (matching {@code
   * machineId} in {@code vmType.csv}). The trace has no SSD sizes or features, so they are
   * synthesized: SSD = 8 × memory; machine ids ≥ 10 offer {@code accelerated-networking}, ids ≥ 12
   * also {@code premium-ssd}.
   */
  public List<MachineType> machineTypes() {
    List<MachineType> out = new ArrayList<>();
    for (Map.Entry<Integer, Long> e : serverCores.entrySet()) {
      Long ram = serverRam.get(e.getKey());
      if (ram == null) {
        continue;
      }
      int id = e.getKey();
      Set<String> features = id >= 12
          ? Set.of("accelerated-networking", "premium-ssd")
          : id >= 10 ? Set.of("accelerated-networking") : Set.of();
      out.add(new MachineType(Integer.toString(id), new Resources(e.getValue(), ram, 8 * ram),
          features));
    }
    return out;
  }
}
