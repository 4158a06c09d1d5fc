package io.vmgrid.node.recovery;

import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.inventory.OwnValues;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The releases the grid remembers, indexed by placement (VM id and request id), for a reconcile
 * pass: the servers' own lists (a client's release of a VM on a busy server drops out of its list
 * within seconds) and the client releases and evictions in the {@code releases} map (kept
 * {@link ServerState#RELEASED_KEPT_MINUTES}). A merge pass reads the whole map; other passes only
 * the entries of the few VMs they ask about.
 */
final class ReleaseIndex {
  /** Key (the placement's 48-bit client release hash) to the minutes (mod 2^16) of its releases. */
  private final Map<Long, List<Integer>> minutes;
  /** The pass's time (wall clock): a release older than the marks are kept no longer counts. */
  private final long nowMillis;

  private ReleaseIndex(Map<Long, List<Integer>> minutes, long nowMillis) {
    this.minutes = minutes;
    this.nowMillis = nowMillis;
  }

  /** Every release the servers in {@code states} and the whole {@code marks} map remember. */
  static ReleaseIndex all(Collection<ServerState> states, IMap<String, Long> marks,
      ForeignEntries foreign, long nowMillis) {
    Map<Long, List<Integer>> out = serverReleases(states);
    for (long entry : OwnValues.releases(marks, foreign)) {
      index(out, entry);
    }
    return new ReleaseIndex(out, nowMillis);
  }

  /** As {@link #all}, with the {@code marks} entries of {@code vms} only. */
  @SuppressWarnings("unchecked")
  static ReleaseIndex of(Collection<ServerState> states, Collection<HostedVm> vms,
      IMap<String, Long> marks, ForeignEntries foreign, long nowMillis) {
    Map<Long, List<Integer>> out = serverReleases(states);
    Set<Object> ids = new HashSet<>();
    vms.forEach(vm -> ids.add(vm.vmId()));
    ((IMap<Object, Object>) (IMap<?, ?>) marks).getAll(ids).forEach((id, value) -> {
      Long entry = foreign.value(MapNames.RELEASES, id, value, Long.class);
      if (entry != null) {
        index(out, entry);
      }
    });
    return new ReleaseIndex(out, nowMillis);
  }

  /**
   * Whether a client's release (or an eviction) of {@code vm}'s placement is still remembered.
   * Whenever the copy was made: a request places once (its record step refuses it after a
   * release), so a copy made after the release is a late one (a member paused or cut off ran it),
   * never a new placement.
   */
  boolean released(HostedVm vm) {
    List<Integer> at = minutes.get(ServerState.clientReleaseKey(vm));
    if (at == null) {
      return false;
    }
    for (int minute : at) {
      if (ServerState.releasedSince(minute, 0, nowMillis)) { // placed "at 0": only the age counts
        return true;
      }
    }
    return false;
  }

  private static Map<Long, List<Integer>> serverReleases(Collection<ServerState> states) {
    Map<Long, List<Integer>> out = new HashMap<>();
    for (ServerState s : states) {
      s.forEachRelease((key, minute) -> out.computeIfAbsent(key, k -> new ArrayList<>()).add(minute));
    }
    return out;
  }

  private static void index(Map<Long, List<Integer>> out, long entry) {
    out.computeIfAbsent(entry & ~0xFFFFL, k -> new ArrayList<>()).add((int) (entry & 0xFFFF));
  }
}
