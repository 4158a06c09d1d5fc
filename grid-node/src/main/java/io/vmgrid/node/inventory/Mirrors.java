package io.vmgrid.node.inventory;

import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.ServerHealth;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.Health;
import io.vmgrid.rules.api.HostedVm;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.ServerSpec;
import io.vmgrid.rules.api.VmRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Translates the grid's wire values (what the {@code servers} map stores and clients send) into the
 * rule engine's model. Resources: cores and memory (MiB) map one to one; the wire has no SSD, so
 * servers have SSD capacity 0 and requests demand none.
 */
public final class Mirrors {
  private Mirrors() {}

  /** Builds an inventory holding {@code states} in the given order, with their VMs and health. */
  public static Inventory inventory(List<ServerState> states, int journalCapacity) {
    Map<String, MachineType> types = new LinkedHashMap<>();
    Inventory.Builder b = Inventory.builder().journalCapacity(journalCapacity);
    for (ServerState s : states) {
      String type = s.machineTypeId();
      MachineType known = types.get(type);
      if (known == null) {
        known = new MachineType(type, new Resources(s.capacityCores(), s.capacityMemoryMb(), 0),
            Set.of());
        types.put(type, known);
        b.machineType(known);
      }
      // a named type with another capacity than the first server of that name is a data error;
      // keep the server honest by giving it its own type
      if (known.capacity().cores() != s.capacityCores()
          || known.capacity().memory() != s.capacityMemoryMb()) {
        type = type + "@c" + s.capacityCores() + "-m" + s.capacityMemoryMb();
        if (!types.containsKey(type)) {
          MachineType own = new MachineType(
              type, new Resources(s.capacityCores(), s.capacityMemoryMb(), 0), Set.of());
          types.put(type, own);
          b.machineType(own);
        }
      }
      b.server(new ServerSpec(s.serverId(), s.clusterId(), s.topology().rack(),
          s.topology().faultDomain(), s.topology().updateDomain(), type));
    }
    Inventory inv = b.build();
    for (ServerState s : states) {
      inv.sync(s.serverId(), health(s.health()), hostedVms(s));
    }
    return inv;
  }

  /** Whether {@code inv} describes server {@code s} with the same topology and capacity. */
  static boolean sameTopology(Inventory inv, ServerState s) {
    int i = inv.indexOf(s.serverId());
    if (i < 0) {
      return false;
    }
    return inv.clusterId(inv.cluster(i)).equals(s.clusterId())
        && inv.capacity(io.vmgrid.rules.api.Resource.CORES, i) == s.capacityCores()
        && inv.capacity(io.vmgrid.rules.api.Resource.MEMORY, i) == s.capacityMemoryMb()
        && inv.localFaultDomain(i) == s.topology().faultDomain()
        && inv.localUpdateDomain(i) == s.topology().updateDomain();
  }

  /** Wire health to rule health, word for word: neither unhealthy nor maintenance takes new VMs. */
  static Health health(ServerHealth h) {
    return switch (h) {
      case HEALTHY -> Health.HEALTHY;
      case UNHEALTHY -> Health.UNHEALTHY;
      case MAINTENANCE -> Health.MAINTENANCE;
    };
  }

  /** The VMs a server state hosts, in the rule model. */
  static List<HostedVm> hostedVms(ServerState s) {
    List<HostedVm> out = new ArrayList<>(s.vms().size());
    for (io.vmgrid.client.wire.HostedVm vm : s.vms()) {
      out.add(new HostedVm(vm.vmId(), vm.tenantId(), new Resources(vm.cores(), vm.memoryMb(), 0),
          vm.lowPriority() ? Priority.LOW : Priority.REGULAR, emptyToNull(vm.availabilitySet()),
          emptyToNull(vm.antiAffinityGroup())));
    }
    return out;
  }

  /** A validated allocation request in the rule model. */
  public static VmRequest request(GridRequest r) {
    Constraints c = Constraints.NONE
        .withAvailabilitySet(emptyToNull(r.availabilitySet()))
        .withAntiAffinityGroup(emptyToNull(r.antiAffinityGroup()))
        .withClusterPin(emptyToNull(r.clusterPin()));
    return new VmRequest(r.vmId(), null, new Resources(r.cores(), r.memoryMb(), 0), r.tenantId(),
        "LOW".equals(r.priority()) ? Priority.LOW : Priority.REGULAR, c);
  }

  static @Nullable String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }
}
