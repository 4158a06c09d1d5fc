package io.vmgrid.scheduler.policy;

import io.vmgrid.scheduler.api.AgentIndicators;
import io.vmgrid.scheduler.api.AgentsView;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.Keys;
import io.vmgrid.scheduler.api.LatCache;
import io.vmgrid.scheduler.api.LatencyEstimates;
import io.vmgrid.scheduler.api.SchedulingPolicy;

/**
 * Kamino's LatCache: the agent with the lowest {@code queueTime + processingTime + remainingProcTime}.
 *
 * <p>The request variant ({@code kamino-request}, deployed in production) assumes every rule misses
 * unless the augmented cache has the request type; the rule variant ({@code kamino-rule}) credits
 * each rule key found in the augmented cache with the rule-hit estimate. Ties are broken
 * deterministically: agents are scanned starting at {@code mix(typeKey) mod n} and the first of the
 * equal minima wins, so that tied new types spread over the agents instead of piling onto agent 0.
 */
final class KaminoPolicy implements SchedulingPolicy {
  private final boolean ruleVariant;

  KaminoPolicy(boolean ruleVariant) {
    this.ruleVariant = ruleVariant;
  }

  @Override
  public String name() {
    return ruleVariant ? "kamino-rule" : "kamino-request";
  }

  @Override
  public int select(ClassifiedRequest request, AgentsView agents) {
    int n = agents.size();
    int start = Math.floorMod(Keys.mix(request.typeKey()), n);
    long now = agents.nowNanos();
    LatencyEstimates e = agents.estimates();
    int best = start;
    long bestL = Long.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      int a = start + i < n ? start + i : start + i - n;
      long l = LatCache.latencyNanos(request, agents.agent(a), e, now, ruleVariant);
      if (l < bestL) {
        bestL = l;
        best = a;
      }
    }
    return best;
  }

  @Override
  public long estimateNanos(ClassifiedRequest request, AgentIndicators agent, LatencyEstimates e) {
    return LatCache.processingNanos(request, agent, e, ruleVariant);
  }
}
