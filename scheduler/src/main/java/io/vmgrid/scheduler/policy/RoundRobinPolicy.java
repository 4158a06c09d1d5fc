package io.vmgrid.scheduler.policy;

import io.vmgrid.scheduler.api.AgentsView;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.SchedulingPolicy;

/** Agents in turn: 0, 1, ..., n - 1, 0, ... */
final class RoundRobinPolicy implements SchedulingPolicy {
  private int next;

  @Override
  public String name() {
    return "round-robin";
  }

  @Override
  public int select(ClassifiedRequest request, AgentsView agents) {
    int a = next % agents.size();
    next = a + 1;
    return a;
  }
}
