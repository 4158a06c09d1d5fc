package io.vmgrid.scheduler.policy;

import io.vmgrid.scheduler.api.AgentsView;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.SchedulingPolicy;

/** Protean's shared queue: one FIFO for all agents; an idle agent pulls its head. */
final class SharedQueuePolicy implements SchedulingPolicy {

  @Override
  public String name() {
    return "shared-queue";
  }

  @Override
  public int select(ClassifiedRequest request, AgentsView agents) {
    return SHARED_QUEUE;
  }
}
