package io.vmgrid.scheduler.policy;

import io.vmgrid.scheduler.api.AgentsView;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.SchedulingPolicy;

/** Join the shortest queue: the agent with the fewest queued plus in-progress requests (lowest index on ties). */
final class JsqPolicy implements SchedulingPolicy {

  @Override
  public String name() {
    return "jsq";
  }

  @Override
  public int select(ClassifiedRequest request, AgentsView agents) {
    int best = 0;
    int bestLoad = Integer.MAX_VALUE;
    for (int a = 0; a < agents.size(); a++) {
      int load = agents.agent(a).load();
      if (load < bestLoad) {
        bestLoad = load;
        best = a;
      }
    }
    return best;
  }
}
