package io.vmgrid.rules.api;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Applies whole-server snapshots to an {@link Inventory} as the differences (see {@link
 * Inventory#sync}), for mirrors fed with snapshots such as the placement store's map events.
 */
final class ServerSnapshots {
  private ServerSnapshots() {}

  /** See {@link Inventory#sync}. */
  static long sync(Inventory inv, String serverId, Health health, Collection<HostedVm> vms) {
    int i = inv.indexOf(serverId);
    if (i < 0) {
      throw new ValidationException("serverId", "unknown server " + serverId);
    }
    Map<String, HostedVm> wanted = new HashMap<>();
    for (HostedVm vm : vms) {
      if (wanted.put(vm.id(), vm) != null) {
        throw new ValidationException("vms", "VM " + vm.id() + " listed twice for " + serverId);
      }
    }
    for (HostedVm have : inv.vmsOn(i)) {
      if (!have.equals(wanted.get(have.id()))) {
        inv.release(i, have.id());
      }
    }
    for (HostedVm vm : vms) {
      int at = inv.serverOf(vm.id());
      if (at == i) {
        continue;
      }
      if (at >= 0) {
        inv.release(at, vm.id());
      }
      inv.place(i, vm);
    }
    if (inv.health(i) != health) {
      inv.setHealth(i, health);
    }
    return inv.journal().revision();
  }
}
