package io.vmgrid.scheduler.sim;

import io.vmgrid.scheduler.api.AgentIndicators;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.Keys;
import java.util.List;

/**
 * Model mode: agents whose service times come from {@link CostModelSettings} and whose caches are
 * {@link ModelCache}s. Per-type costs are drawn once per stream from a seeded hash of the type key.
 */
public final class ModelBackendFactory implements BackendFactory {
  private final CostModelSettings cost;
  private final long cacheBytes;
  private final long maxAgeNanos;
  private final long seed;
  private final long[] hit;
  private final long[] consolidation;
  private final long[][] ruleMiss;
  private final long[][] ruleHit;
  private final long[] fullMiss;
  private final long[] topBytes;

  /**
   * Model backends for the types of {@code stream}.
   *
   * @param cacheBytes byte budget of each agent's cache
   * @param maxAgeNanos entries unused for longer are evicted
   */
  public ModelBackendFactory(RequestStream stream, CostModelSettings cost, long cacheBytes,
      long maxAgeNanos, long seed) {
    this.cost = cost;
    this.cacheBytes = cacheBytes;
    this.maxAgeNanos = maxAgeNanos;
    this.seed = seed;
    int types = stream.typeCount();
    List<ModelClassifier.ModelRule> rules = ModelClassifier.RULES;
    double weightSum = rules.stream().mapToDouble(ModelClassifier.ModelRule::missWeight).sum();
    hit = new long[types];
    consolidation = new long[types];
    fullMiss = new long[types];
    topBytes = new long[types];
    ruleMiss = new long[types][];
    ruleHit = new long[types][];
    for (int t = 0; t < types; t++) {
      ClassifiedRequest c = stream.type(t);
      long h = Keys.mix(c.typeKey() ^ Keys.mix(seed ^ 0xC057L));
      double m = Math.exp(unit(h) * Math.log(cost.typeSpread()));
      double q = cost.missHitRatioMin()
          + unit(Keys.mix(h + 1)) * (cost.missHitRatioMax() - cost.missHitRatioMin());
      double sizeFactor = Math.exp((unit(Keys.mix(h + 2)) * 2 - 1) * Math.log(2));
      hit[t] = Math.round(cost.hitBaseNanos() * m);
      double topMiss = q * hit[t];
      consolidation[t] = Math.round((1 - cost.ruleShare()) * topMiss);
      topBytes[t] = Math.max(1, Math.round(cost.topEntryBytes() * sizeFactor));
      ruleMiss[t] = new long[c.ruleCount()];
      ruleHit[t] = new long[c.ruleCount()];
      long total = consolidation[t];
      for (int i = 0; i < c.ruleCount(); i++) {
        double w = rules.get(c.ruleId(i)).missWeight() / weightSum;
        ruleHit[t][i] = Math.max(1, Math.round(cost.ruleShare() * topMiss * w));
        ruleMiss[t][i] = Math.round(ruleHit[t][i] * cost.ruleMissMultiplier());
        total += ruleMiss[t][i];
      }
      fullMiss[t] = total;
    }
  }

  private static double unit(long h) {
    return (h >>> 11) * 0x1.0p-53;
  }

  @Override
  public String mode() {
    return "model";
  }

  @Override
  public AgentBackend create(int agent) {
    return new ModelAgent();
  }

  @Override
  public long oracleNanos(SimRequest request, AgentIndicators agent) {
    ClassifiedRequest c = request.classified();
    int t = request.typeIndex();
    if (agent.augmentedHasType(c.typeKey())) {
      return hit[t];
    }
    long sum = consolidation[t];
    for (int i = 0; i < c.ruleCount(); i++) {
      sum += agent.augmentedHasRule(c.ruleKey(i)) ? ruleHit[t][i] : ruleMiss[t][i];
    }
    return sum;
  }

  private double noise(int requestIndex) {
    double sigma = cost.noiseSigma();
    if (sigma == 0) {
      return 1.0;
    }
    long h = Keys.mix(seed ^ 0x4E4F495345L ^ Keys.mix(requestIndex));
    double u1 = ((h >>> 11) + 1) * 0x1.0p-53;
    double u2 = (Keys.mix(h) >>> 11) * 0x1.0p-53;
    double z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.exp(sigma * z - sigma * sigma / 2);
  }

  private final class ModelAgent implements AgentBackend {
    private final ModelCache cache = new ModelCache(cacheBytes, maxAgeNanos);

    @Override
    public void serve(SimRequest request, long now, long revision, ServiceOutcome out) {
      cache.expire(now);
      ClassifiedRequest c = request.classified();
      int t = request.typeIndex();
      double f = noise(request.index());
      ModelCache.Entry top = cache.top(c.typeKey());
      if (top != null && revision - top.revision > cost.journalCapacity()) {
        cache.remove(top);
        top = null;
      }
      if (top != null) {
        long refresh = Math.min(cost.refreshNanosPerChange() * (revision - top.revision), fullMiss[t]);
        top.revision = revision;
        cache.touch(top, now);
        ModelCache.Entry[] rs = top.rules;
        if (rs != null) {
          for (ModelCache.Entry r : rs) {
            r.revision = revision;
            cache.touch(r, now);
          }
        }
        out.reset(true);
        out.cost(Math.max(1, Math.round((hit[t] + refresh) * f)));
        return;
      }
      out.reset(false);
      double total = consolidation[t] * f;
      ModelCache.Entry[] used = new ModelCache.Entry[c.ruleCount()];
      for (int i = 0; i < c.ruleCount(); i++) {
        long key = c.ruleKey(i);
        ModelCache.Entry r = cache.rule(key);
        boolean stale = r != null && revision - r.revision > cost.journalCapacity();
        long ruleCost;
        boolean ruleHitNow;
        if (r != null && !stale) {
          ruleCost = ruleHit[t][i]
              + Math.min(cost.refreshNanosPerChange() * (revision - r.revision), ruleMiss[t][i]);
          ruleHitNow = true;
          r.revision = revision;
          cache.touch(r, now);
        } else {
          ruleCost = ruleMiss[t][i];
          ruleHitNow = false;
          if (r == null) {
            r = cache.addRule(key, cost.ruleEntryBytes(), now, revision);
          } else {
            r.revision = revision;
            cache.touch(r, now);
          }
        }
        used[i] = r;
        long measured = Math.max(1, Math.round(ruleCost * f));
        out.addRule(ruleHitNow, measured);
        total += ruleCost * f;
      }
      cache.addTop(c.typeKey(), topBytes[t], used, now, revision);
      out.cost(Math.max(1, Math.round(total)));
    }

    @Override
    public boolean cachesType(long typeKey) {
      return cache.hasTop(typeKey);
    }

    @Override
    public boolean cachesRule(long ruleKey) {
      return cache.hasRule(ruleKey);
    }

    @Override
    public long cacheBytes() {
      return cache.bytes();
    }

    @Override
    public void expire(long now) {
      cache.expire(now);
    }
  }
}
