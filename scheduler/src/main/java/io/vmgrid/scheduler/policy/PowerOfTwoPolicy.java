package io.vmgrid.scheduler.policy;

import io.vmgrid.scheduler.api.AgentsView;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.SchedulingPolicy;
import java.util.SplittableRandom;

/** Power of two choices: two distinct random agents, the less loaded one wins (the first on ties). */
final class PowerOfTwoPolicy implements SchedulingPolicy {
  private final SplittableRandom random;

  PowerOfTwoPolicy(long seed) {
    this.random = new SplittableRandom(seed);
  }

  @Override
  public String name() {
    return "power-of-two";
  }

  @Override
  public int select(ClassifiedRequest request, AgentsView agents) {
    int n = agents.size();
    if (n == 1) {
      return 0;
    }
    int a = random.nextInt(n);
    int b = random.nextInt(n - 1);
    if (b >= a) {
      b++;
    }
    return agents.agent(b).load() < agents.agent(a).load() ? b : a;
  }
}
