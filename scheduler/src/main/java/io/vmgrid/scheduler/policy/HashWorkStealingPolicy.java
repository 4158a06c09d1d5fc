package io.vmgrid.scheduler.policy;

import io.vmgrid.scheduler.api.AgentsView;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.SchedulingPolicy;

/**
 * Hash+WS from the Kamino paper: consistent hashing of the request-type key, and an idle agent with an
 * empty queue steals the oldest request of the agent with the longest queue (lowest index on ties).
 */
final class HashWorkStealingPolicy implements SchedulingPolicy {
  private final HashRing ring;

  HashWorkStealingPolicy(int agents, int virtualNodes) {
    this.ring = new HashRing(agents, virtualNodes);
  }

  @Override
  public String name() {
    return "hash-ws";
  }

  @Override
  public int select(ClassifiedRequest request, AgentsView agents) {
    return ring.owner(ring.firstPoint(request.typeKey()));
  }

  @Override
  public int stealFrom(int idleAgent, AgentsView agents) {
    int victim = NO_AGENT;
    int longest = 0;
    for (int a = 0; a < agents.size(); a++) {
      int q = agents.agent(a).queueLength();
      if (a != idleAgent && q > longest) {
        longest = q;
        victim = a;
      }
    }
    return victim;
  }
}
