package io.vmgrid.scheduler.policy;

import io.vmgrid.scheduler.api.AgentsView;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.SchedulingPolicy;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam): walk the ring from the
 * type key's point to the first agent whose load (queued plus in progress) is below
 * {@code ceil(c * (total load + 1) / n)}.
 */
final class BoundedHashPolicy implements SchedulingPolicy {
  private final HashRing ring;
  private final double c;

  BoundedHashPolicy(int agents, int virtualNodes, double c) {
    this.ring = new HashRing(agents, virtualNodes);
    this.c = c;
  }

  @Override
  public String name() {
    return "bounded-hash";
  }

  @Override
  public int select(ClassifiedRequest request, AgentsView agents) {
    int n = agents.size();
    long total = 0;
    for (int a = 0; a < n; a++) {
      total += agents.agent(a).load();
    }
    long bound = (long) Math.ceil(c * (total + 1) / n);
    int p = ring.firstPoint(request.typeKey());
    for (int i = 0; i < ring.size(); i++) {
      int a = ring.owner(p);
      if (agents.agent(a).load() < bound) {
        return a;
      }
      p = p + 1 == ring.size() ? 0 : p + 1;
    }
    return ring.owner(ring.firstPoint(request.typeKey()));
  }
}
