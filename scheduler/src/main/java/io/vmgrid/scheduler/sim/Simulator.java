package io.vmgrid.scheduler.sim;

import io.vmgrid.scheduler.api.AgentIndicators;
import io.vmgrid.scheduler.api.AgentsView;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.LatencyEstimates;
import io.vmgrid.scheduler.api.SchedulingPolicy;
import io.vmgrid.scheduler.estimate.LatencyEstimator;
import io.vmgrid.scheduler.policy.PolicyContext;
import io.vmgrid.scheduler.policy.PolicyRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The discrete-event simulator: replays one request stream through agents under a routing policy.
 *
 * <p>Single-threaded and deterministic: simulated time is the only clock, every random choice comes
 * from the seed, and of simultaneous events completions go before arrivals and lower agent indices
 * first. Each agent serves one request at a time from its FIFO queue. An agent with nothing to do
 * asks the policy whom to steal from when it becomes idle and whenever a request queues elsewhere.
 * A request's service time and cache effects come from the {@link AgentBackend} (model or engine
 * mode). Each completion is a placement and advances the global inventory revision, so cached
 * entries get stale. Every policy run starts from empty caches and from a copy of the same initial
 * estimator, which then learns from the measured times of that run.
 */
public final class Simulator {
  private final SimSettings settings;
  private final BackendFactory backends;
  private final LatencyEstimator initialEstimator;

  /** A simulator with these settings, cost mode and initial estimator (copied for every run). */
  public Simulator(SimSettings settings, BackendFactory backends, LatencyEstimator initialEstimator) {
    this.settings = settings;
    this.backends = backends;
    this.initialEstimator = initialEstimator;
  }

  /** Runs every named policy on {@code stream}, in order. */
  public List<PolicyRun> runAll(RequestStream stream, List<String> policies) {
    List<PolicyRun> out = new ArrayList<>();
    for (String p : policies) {
      out.add(run(stream, p));
    }
    return out;
  }

  /** Runs one policy on {@code stream}. */
  public PolicyRun run(RequestStream stream, String policyName) {
    SchedulingPolicy policy = PolicyRegistry.create(policyName,
        new PolicyContext(settings.agents(), settings.seed(), settings.policies()));
    return new Run(stream, policy).execute();
  }

  /** One policy's run over the stream: agents, queues, clock, counters. */
  private final class Run implements AgentsView {
    private final RequestStream stream;
    private final SchedulingPolicy policy;
    private final boolean kamino;
    private final AgentState[] agents;
    private final LatencyEstimator estimator = initialEstimator.copy();
    private final ServiceOutcome outcome;
    private final long[] latency;
    private final byte[] predicted;
    private SimRequest[] shared = new SimRequest[64];
    private int sharedHead;
    private int sharedSize;
    private long now;
    private long revision;
    private long totalCacheBytes;
    private double cacheByteNanos;
    private long topHits;
    private long ruleHits;
    private long ruleLookups;
    private long predictions;
    private long correctPredictions;
    private long bestChosen;
    private long routed;
    private long steals;
    private long lastCompletion;
    private double serviceNanos;

    Run(RequestStream stream, SchedulingPolicy policy) {
      this.stream = stream;
      this.policy = policy;
      this.kamino = policy.name().startsWith("kamino");
      this.agents = new AgentState[settings.agents()];
      backends.reset();
      for (int a = 0; a < agents.length; a++) {
        agents[a] = new AgentState(backends.create(a));
      }
      int maxRules = 0;
      for (int t = 0; t < stream.typeCount(); t++) {
        maxRules = Math.max(maxRules, stream.type(t).ruleCount());
      }
      this.outcome = new ServiceOutcome(maxRules);
      this.latency = new long[stream.size()];
      this.predicted = new byte[stream.size()];
    }

    @Override
    public int size() {
      return agents.length;
    }

    @Override
    public AgentIndicators agent(int index) {
      return agents[index];
    }

    @Override
    public long nowNanos() {
      return now;
    }

    @Override
    public LatencyEstimates estimates() {
      return estimator;
    }

    PolicyRun execute() {
      int n = stream.size();
      int next = 0;
      now = stream.arrivalNanos(0);
      while (true) {
        int k = -1;
        long tc = Long.MAX_VALUE;
        for (int a = 0; a < agents.length; a++) {
          if (agents[a].busy() && agents[a].completionAt < tc) {
            tc = agents[a].completionAt;
            k = a;
          }
        }
        long ta = next < n ? stream.arrivalNanos(next) : Long.MAX_VALUE;
        if (k < 0 && next >= n) {
          break;
        }
        if (k >= 0 && tc <= ta) {
          advance(tc);
          complete(k);
        } else {
          advance(ta);
          arrive(next++);
        }
      }
      return result();
    }

    private void advance(long t) {
      cacheByteNanos += (double) totalCacheBytes * (t - now);
      now = t;
    }

    private void arrive(int i) {
      int t = stream.typeIndex(i);
      ClassifiedRequest c = stream.type(t).withId(i);
      SimRequest r = new SimRequest(i, t, c, stream.traits(t));
      int sel = policy.select(c, this);
      if (sel == SchedulingPolicy.SHARED_QUEUE) {
        for (int a = 0; a < agents.length; a++) {
          if (!agents[a].busy() && agents[a].queueLength() == 0) {
            start(a, r, policy.estimateNanos(c, agents[a], estimator));
            return;
          }
        }
        pushShared(r);
        return;
      }
      if (sel < 0 || sel >= agents.length) {
        throw new IllegalStateException(
            "policy " + policy.name() + " chose agent " + sel + " of " + agents.length);
      }
      AgentState a = agents[sel];
      routed++;
      if (kamino) {
        long best = Long.MAX_VALUE;
        long chosen = 0;
        for (int b = 0; b < agents.length; b++) {
          AgentState s = agents[b];
          long l = s.oracleQueueNanos() + (s.busy() ? s.completionAt - now : 0)
              + backends.oracleNanos(r, s);
          best = Math.min(best, l);
          if (b == sel) {
            chosen = l;
          }
        }
        if (chosen <= best) {
          bestChosen++;
        }
      }
      predicted[i] = (byte) (a.augmentedHasType(c.typeKey()) ? 2 : 1);
      long estimate = policy.estimateNanos(c, a, estimator);
      a.enqueue(r, estimate, backends.oracleNanos(r, a));
      if (!a.busy()) {
        tryStart(sel);
        return;
      }
      // The request queued behind a busy agent: idle agents may steal it (work-stealing policies).
      for (int b = 0; b < agents.length; b++) {
        if (!agents[b].busy() && agents[b].queueLength() == 0) {
          tryStart(b);
        }
      }
    }

    private void complete(int k) {
      AgentState a = agents[k];
      SimRequest r = a.current;
      if (r == null) {
        throw new IllegalStateException("agent " + k + " completed without a request");
      }
      latency[r.index()] = now - stream.arrivalNanos(r.index());
      lastCompletion = now;
      revision += settings.changesPerPlacement();
      a.backend.complete(now);
      a.finish();
      for (AgentState s : agents) {
        s.backend.expire(now);
      }
      recountBytes();
      tryStart(k);
    }

    private void tryStart(int k) {
      AgentState a = agents[k];
      if (a.queueLength() > 0) {
        long estimate = a.headEstimate();
        SimRequest r = a.dequeue();
        start(k, r, estimate);
        return;
      }
      if (sharedSize > 0) {
        SimRequest r = popShared();
        start(k, r, policy.estimateNanos(r.classified(), a, estimator));
        return;
      }
      int victim = policy.stealFrom(k, this);
      if (victim >= 0 && victim != k && agents[victim].queueLength() > 0) {
        AgentState v = agents[victim];
        long estimate = v.headEstimate();
        SimRequest r = v.dequeue();
        predicted[r.index()] = 0;
        steals++;
        start(k, r, estimate);
      }
    }

    private void start(int k, SimRequest r, long estimate) {
      AgentState a = agents[k];
      a.backend.serve(r, now, revision, outcome);
      long cost = outcome.costNanos();
      serviceNanos += cost;
      if (outcome.topHit()) {
        topHits++;
        estimator.recordTopHit(cost);
      } else {
        ClassifiedRequest c = r.classified();
        for (int i = 0; i < outcome.ruleCount(); i++) {
          ruleLookups++;
          if (outcome.ruleHit(i)) {
            ruleHits++;
            estimator.recordRuleHit(c.ruleId(i), outcome.ruleNanos(i));
          } else {
            estimator.recordRuleMiss(c.ruleId(i), outcome.ruleNanos(i));
          }
        }
      }
      byte p = predicted[r.index()];
      if (p != 0) {
        predictions++;
        if ((p == 2) == outcome.topHit()) {
          correctPredictions++;
        }
      }
      a.start(r, now, estimate, now + cost);
      recountBytes();
    }

    private void recountBytes() {
      long b = 0;
      for (AgentState s : agents) {
        b += s.backend.cacheBytes();
      }
      totalCacheBytes = b;
    }

    private void pushShared(SimRequest r) {
      if (sharedSize == shared.length) {
        SimRequest[] q = new SimRequest[shared.length * 2];
        for (int i = 0; i < sharedSize; i++) {
          q[i] = shared[(sharedHead + i) & (shared.length - 1)];
        }
        shared = q;
        sharedHead = 0;
      }
      shared[(sharedHead + sharedSize) & (shared.length - 1)] = r;
      sharedSize++;
    }

    private SimRequest popShared() {
      SimRequest r = shared[sharedHead];
      sharedHead = (sharedHead + 1) & (shared.length - 1);
      sharedSize--;
      return r;
    }

    private PolicyRun result() {
      for (int a = 0; a < agents.length; a++) {
        if (agents[a].queueTimeNanos() != 0 || agents[a].oracleQueueNanos() != 0 || agents[a].busy()) {
          throw new IllegalStateException("agent " + a + " ended with queueTime "
              + agents[a].queueTimeNanos() + " ns or still busy: estimates leaked");
        }
      }
      int n = latency.length;
      long[] sorted = latency.clone();
      Arrays.sort(sorted);
      double sum = 0;
      for (long l : sorted) {
        sum += l;
      }
      double span = (lastCompletion - stream.arrivalNanos(0)) / 1e9;
      double elapsed = now - stream.arrivalNanos(0);
      PolicyResult res = new PolicyResult(
          policy.name(),
          n,
          round(sum / n / 1e6),
          round(percentile(sorted, 0.50) / 1e6),
          round(percentile(sorted, 0.90) / 1e6),
          round(percentile(sorted, 0.99) / 1e6),
          round(topHits / (double) n),
          round(ruleLookups == 0 ? 0 : ruleHits / (double) ruleLookups),
          Math.round(elapsed > 0 ? cacheByteNanos / elapsed : totalCacheBytes),
          round(span > 0 ? n / span : 0),
          round(serviceNanos / n / 1e6),
          round(span > 0 ? serviceNanos / 1e9 / (span * agents.length) : 0),
          steals,
          kamino ? round(routed == 0 ? 0 : bestChosen / (double) routed) : null,
          kamino ? round(predictions == 0 ? 0 : correctPredictions / (double) predictions) : null,
          backends.placementFailures() < 0 ? null : backends.placementFailures());
      return new PolicyRun(res, sorted, estimator);
    }
  }

  private static double percentile(long[] sorted, double q) {
    int idx = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  private static double round(double v) {
    return Math.round(v * 10_000.0) / 10_000.0;
  }
}
