package io.vmgrid.node.agent;

import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.VmRequest;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Capacity this member's agents have chosen and whose commits have not returned yet, by server.
 * Shared by every agent of the member: an agent skips a server that would not fit a request once
 * the other agents' commits in flight land, instead of sending a commit the server is bound to
 * refuse (the mirror shows a commit only when it returns). A claim is held from the choice until
 * the commit's answer has been applied to the mirror; a claim left behind only hides capacity from
 * this member's choices, it never lets anything be placed.
 */
final class InFlight {
  /** Capacity claimed on one server. */
  private record Claimed(long cores, long memory, int count) {}

  /** One agent's claim, to give back. */
  record Claim(String serverId, long cores, long memory) {}

  private final ConcurrentHashMap<String, Claimed> byServer = new ConcurrentHashMap<>();

  /** Claims {@code cores} and {@code memory} on {@code serverId}. */
  Claim claim(String serverId, long cores, long memory) {
    byServer.merge(serverId, new Claimed(cores, memory, 1),
        (a, b) -> new Claimed(a.cores + b.cores, a.memory + b.memory, a.count + b.count));
    return new Claim(serverId, cores, memory);
  }

  /** Gives {@code claim} back. */
  void release(Claim claim) {
    byServer.computeIfPresent(claim.serverId(), (k, c) -> c.count <= 1 ? null
        : new Claimed(c.cores - claim.cores(), c.memory - claim.memory(), c.count - 1));
  }

  /** Whether {@code request} fits {@code server} of {@code inv} once the claims on it land. */
  boolean fits(Inventory inv, int server, VmRequest request) {
    Claimed c = byServer.get(inv.serverId(server));
    return c == null
        || (inv.free(Resource.CORES, server) - c.cores >= request.demand().cores()
            && inv.free(Resource.MEMORY, server) - c.memory >= request.demand().memory());
  }

  /** Whether this member has a commit in flight to {@code serverId}. */
  boolean claimed(String serverId) {
    return byServer.containsKey(serverId);
  }

  /** Servers with a claim (for tests and diagnostics). */
  int servers() {
    return byServer.size();
  }
}
