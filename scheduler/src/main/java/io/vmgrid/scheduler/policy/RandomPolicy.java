package io.vmgrid.scheduler.policy;

import io.vmgrid.scheduler.api.AgentsView;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.SchedulingPolicy;
import java.util.SplittableRandom;

/** A uniformly random agent from a seeded generator. */
final class RandomPolicy implements SchedulingPolicy {
  private final SplittableRandom random;

  RandomPolicy(long seed) {
    this.random = new SplittableRandom(seed);
  }

  @Override
  public String name() {
    return "random";
  }

  @Override
  public int select(ClassifiedRequest request, AgentsView agents) {
    return random.nextInt(agents.size());
  }
}
