package io.vmgrid.node.recovery;

import io.vmgrid.client.wire.Eviction;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.ServerState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How two versions of one server's state are merged after a network split heals. A pure function:
 * same inputs, same result, on every member.
 *
 * <p>The rule:
 * <ol>
 *   <li>The merged server hosts the union of both sides' VMs (by VM id; the surviving side's copy of
 *       a VM wins), less the placements either side released ({@link ServerState#released}): a
 *       release acknowledged on one side is not undone by the other side's older copy. No
 *       acknowledged placement is dropped by the union.</li>
 *   <li>If the union exceeds the server's capacity in cores or memory, VMs are evicted until it fits,
 *       in this order: low priority before regular, then the most recently placed first, then the
 *       larger VM id first. Evicted VMs are kept on the state ({@link ServerState#evicted()}) until
 *       the repair pass writes them to the repair log; they hold no capacity.</li>
 *   <li>Preemptions either side made and has not logged yet stay pending (their victims are in the
 *       released placements, so the union does not bring them back).</li>
 *   <li>Health and capacity are the surviving side's; the revision is above both.</li>
 * </ol>
 */
public final class ServerMerge {
  /** Eviction order: first element is evicted first. */
  static final Comparator<HostedVm> EVICTION_ORDER =
      Comparator.comparing((HostedVm vm) -> !vm.lowPriority())
          .thenComparing(Comparator.comparingLong(HostedVm::placedAtMillis).reversed())
          .thenComparing(Comparator.comparing(HostedVm::vmId).reversed());

  private ServerMerge() {}

  /** Merges {@code merging} (the joining side's state) into {@code surviving}. */
  public static ServerState merge(ServerState surviving, ServerState merging) {
    Map<String, HostedVm> union = new LinkedHashMap<>();
    surviving.vms().forEach(vm -> union.put(vm.vmId(), vm));
    merging.vms().forEach(vm -> union.putIfAbsent(vm.vmId(), vm));
    union.values().removeIf(vm -> surviving.releasedHere(vm) || merging.releasedHere(vm));
    java.util.LinkedHashSet<Long> released = new java.util.LinkedHashSet<>(merging.released());
    released.addAll(surviving.released());
    List<Long> keptReleases = new ArrayList<>(released);
    if (keptReleases.size() > ServerState.RELEASED_KEPT) {
      keptReleases = keptReleases.subList(keptReleases.size() - ServerState.RELEASED_KEPT,
          keptReleases.size());
    }
    Map<String, HostedVm> evicted = new LinkedHashMap<>();
    surviving.evicted().forEach(vm -> evicted.put(vm.vmId(), vm));
    merging.evicted().forEach(vm -> evicted.putIfAbsent(vm.vmId(), vm));

    long cores = union.values().stream().mapToLong(HostedVm::cores).sum();
    long memory = union.values().stream().mapToLong(HostedVm::memoryMb).sum();
    if (cores > surviving.capacityCores() || memory > surviving.capacityMemoryMb()) {
      List<HostedVm> order = new ArrayList<>(union.values());
      order.sort(EVICTION_ORDER);
      for (HostedVm vm : order) {
        if (cores <= surviving.capacityCores() && memory <= surviving.capacityMemoryMb()) {
          break;
        }
        union.remove(vm.vmId());
        evicted.put(vm.vmId(), vm);
        cores -= vm.cores();
        memory -= vm.memoryMb();
      }
    }
    // preemptions either side has not logged yet stay pending, once each (their victims are gone
    // from the union: a preemption remembers its victims as released)
    Map<String, Eviction> preempted = new LinkedHashMap<>();
    surviving.preempted().forEach(e -> preempted.put(e.key(), e));
    merging.preempted().forEach(e -> preempted.putIfAbsent(e.key(), e));
    return surviving.withVms(new ArrayList<>(union.values()), new ArrayList<>(evicted.values()),
        Math.max(surviving.revision(), merging.revision()) + 1, keptReleases,
        new ArrayList<>(preempted.values()));
  }
}
