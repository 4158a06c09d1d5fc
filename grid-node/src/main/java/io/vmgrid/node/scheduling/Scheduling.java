package io.vmgrid.node.scheduling;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.node.agent.AgentHost;
import io.vmgrid.node.agent.AgentOutcome;
import io.vmgrid.node.agent.Mirrors;
import io.vmgrid.node.metrics.NodeMetrics;
import io.vmgrid.node.placement.RequestProcessor;
import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.engine.RequestClass;
import io.vmgrid.rules.engine.RequestClassifier;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.Keys;
import io.vmgrid.scheduler.estimate.EstimatorDefaults;
import io.vmgrid.scheduler.estimate.LatencyEstimator;
import io.vmgrid.scheduler.jet.AgentLoad;
import io.vmgrid.scheduler.jet.Selector;
import io.vmgrid.scheduler.policy.PolicyRegistry;
import io.vmgrid.scheduler.policy.PolicySettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * This member's part of the Kamino scheduler: the routing stage's service (classify, then select an
 * agent with the configured policy over the near-cached {@link AgentLoad} indicators) and the
 * delivery stage's service (hand the request to the local agent through the request processor,
 * which claims it, places it and writes the outcome). Also feeds the latency estimator with the
 * agents' measured times, persists it in the grid, and makes this member's agents publish their
 * indicators. Found by the job's stages through the member's user context.
 */
public final class Scheduling implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Scheduling.class.getName());
  private static final String CONTEXT_KEY = "vmgrid.scheduling";
  /** Map holding the scheduler's persisted state (the latency estimator, as JSON). */
  public static final String STATE_MAP = "scheduler-state";
  /** Key of the estimator in {@link #STATE_MAP}. */
  static final String ESTIMATOR_KEY = "estimator";
  /** Agents publish changed indicators at most this often. */
  static final long PUBLISH_MILLIS = 2;
  /** The oldest member saves the estimator this often. */
  static final long SAVE_MILLIS = 10_000;
  /** How often the oldest member checks that the job exists and resubmits it if it ended. */
  static final long JOB_CHECK_MILLIS = 5_000;
  /** The policy name meaning "no scheduler job: the direct path". */
  public static final String DIRECT = "direct";
  private static final String SHARED_QUEUE = "shared-queue";
  /** The policy members route with unless told otherwise. */
  public static final String DEFAULT_POLICY = "kamino-request";

  /**
   * Checks a policy name given as {@code field}: a {@link PolicyRegistry} name or {@link #DIRECT}.
   *
   * @throws IllegalArgumentException naming the field and the known values
   */
  public static void validatePolicy(String field, String name) {
    if (SHARED_QUEUE.equals(name)) {
      throw new IllegalArgumentException(field + ": " + SHARED_QUEUE + " cannot be expressed on the"
          + " grid (an agent's queue lives on its member, there is no queue idle agents could pull"
          + " from); jsq is the closest: " + String.join(", ", gridPolicies()));
    }
    if (!DIRECT.equals(name) && !PolicyRegistry.names().contains(name)) {
      throw new IllegalArgumentException(field + ": unknown policy '" + name + "'; known: "
          + String.join(", ", gridPolicies()));
    }
  }

  /** The policies the grid can run, and {@link #DIRECT}. */
  public static List<String> gridPolicies() {
    List<String> out = new ArrayList<>();
    for (String n : PolicyRegistry.names()) {
      if (!SHARED_QUEUE.equals(n)) {
        out.add(n);
      }
    }
    out.add(DIRECT);
    return out;
  }

  private final HazelcastInstance hz;
  private final AgentHost agents;
  private final RequestProcessor processor;
  private final NodeMetrics metrics;
  private final String policy;
  private final RequestClassifier classifier;
  private final List<String> ruleNames;
  private final LatencyEstimator estimator;
  private final Selector selector;
  private final IMap<String, AgentLoad> loads;
  /** The agents' indicators as pushed by {@link #loads}' events: routing reads only this. */
  private final Map<String, AgentLoad> view = new ConcurrentHashMap<>();
  private final java.util.UUID loadListenerId;
  private final IMap<String, String> state;
  private final Map<String, ClassifiedRequest> classes = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;
  private volatile long lastDelivery = Long.MIN_VALUE;
  private final java.util.concurrent.atomic.AtomicLong resubmissions =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong routed =
      new java.util.concurrent.atomic.AtomicLong();

  /**
   * Sets up this member's scheduler services for {@code policy} and makes sure the cluster's job
   * runs.
   *
   * @throws IllegalArgumentException if the policy is unknown
   */
  public Scheduling(HazelcastInstance hz, AgentHost agents, RequestProcessor processor,
      NodeMetrics metrics, String policy, long seed) {
    validatePolicy("scheduler", policy);
    this.hz = hz;
    this.agents = agents;
    this.processor = processor;
    this.metrics = metrics;
    this.policy = policy;
    this.classifier = new RequestClassifier(agents.ruleSet());
    this.ruleNames = agents.ruleSet().rules().stream().map(Rule::name).toList();
    this.state = hz.getMap(STATE_MAP);
    this.estimator = loadEstimator();
    this.selector = new Selector(policy, seed, PolicySettings.DEFAULTS, estimator);
    this.loads = hz.getMap(AgentLoad.MAP);
    this.loadListenerId = loads.addEntryListener(new LoadListener(), true);
    for (Map.Entry<String, AgentLoad> e : loads.entrySet()) {
      view.merge(e.getKey(), e.getValue(), Scheduling::newer);
    }
    hz.getUserContext().put(CONTEXT_KEY, this);
    processor.jobDeliveries(() -> lastDelivery);
    agents.publishIndicators(PUBLISH_MILLIS);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vmgrid-scheduling");
      t.setDaemon(true);
      return t;
    });
    var unused = timer.scheduleWithFixedDelay(this::saveQuietly, SAVE_MILLIS, SAVE_MILLIS,
        TimeUnit.MILLISECONDS);
    var unused2 = timer.scheduleWithFixedDelay(this::keepJobRunning, JOB_CHECK_MILLIS,
        JOB_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    SchedulerJob.ensureRunning(hz);
  }

  /** The member's scheduling services; waits (bounded) for a member that is still starting. */
  static Scheduling of(HazelcastInstance hz) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      if (hz.getUserContext().get(CONTEXT_KEY) instanceof Scheduling s) {
        return s;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no scheduler services on member " + hz.getName()
            + ": it was not started with a scheduling policy");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for the scheduler services", e);
      }
    }
  }

  /** Requests this member's routing stage has routed. */
  public long routed() {
    return routed.get();
  }

  /** The policy this member routes with. */
  public String policy() {
    return policy;
  }

  /** The latency estimator this member routes with and feeds. */
  public LatencyEstimator estimator() {
    return estimator;
  }

  /**
   * The routing stage: classifies {@code r} and picks its agent; null (dropped) if no agent is
   * registered yet, in which case the request's owner handles it after its grace period.
   */
  @Nullable RoutedRequest route(GridRequest r) {
    long received = AgentLoad.nowNanos();
    long t0 = System.nanoTime();
    if (r.submittedAtMillis() > 0) {
      long waited = System.currentTimeMillis() - r.submittedAtMillis();
      metrics.stage(NodeMetrics.Stage.JOURNAL, TimeUnit.MILLISECONDS.toNanos(Math.max(0, waited)));
    }
    ClassifiedRequest c;
    try {
      c = classify(r);
    } catch (RuntimeException e) { // invalid for the rules: the direct path answers it clearly
      LOG.fine(() -> "cannot classify " + r.requestId() + ": " + e);
      return null;
    }
    long t1 = System.nanoTime();
    List<String> ids = agents.routableAgents();
    if (ids.isEmpty()) {
      return null;
    }
    List<AgentLoad> current = new ArrayList<>(ids.size());
    for (String id : ids) {
      AgentLoad l = view.get(id); // local: no remote call on the routing path
      current.add(l == null ? AgentLoad.idle(id, "") : l);
    }
    Selector.Choice choice = selector.select(c, current, AgentLoad.nowNanos());
    long t2 = System.nanoTime();
    metrics.stage(NodeMetrics.Stage.CLASSIFY, t1 - t0);
    metrics.stage(NodeMetrics.Stage.SELECT, t2 - t1);
    metrics.indicatorAge(choice.indicatorAgeNanos());
    int[] ruleIds = new int[c.ruleCount()];
    long[] ruleKeys = new long[c.ruleCount()];
    for (int i = 0; i < ruleKeys.length; i++) {
      ruleIds[i] = c.ruleId(i);
      ruleKeys[i] = c.ruleKey(i);
    }
    routed.incrementAndGet();
    return new RoutedRequest(r, choice.agentId(), c.typeKey(), ruleIds, ruleKeys,
        choice.estimateNanos(), received);
  }

  private ClassifiedRequest classify(GridRequest r) {
    io.vmgrid.rules.api.VmRequest vm = Mirrors.request(r);
    String type = classifier.typeKey(vm).value();
    ClassifiedRequest known = classes.get(type);
    if (known != null) {
      return known;
    }
    RequestClass rc = classifier.classify(vm);
    int n = rc.rules().size();
    int[] ids = new int[n];
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = Math.max(0, ruleNames.indexOf(rc.rules().get(i).rule()));
      keys[i] = Keys.fingerprint(rc.rules().get(i).toString());
    }
    ClassifiedRequest c = new ClassifiedRequest(0, Keys.fingerprint(rc.type().value()), ids, keys);
    if (classes.size() < 100_000) {
      classes.put(type, c);
    }
    return c;
  }

  /** The delivery stage: the request processor claims, places and answers {@code rr} here. */
  CompletableFuture<Boolean> handle(RoutedRequest rr) {
    lastDelivery = System.nanoTime();
    metrics.stage(NodeMetrics.Stage.ROUTE, Math.max(0, AgentLoad.nowNanos() - rr.receivedAtNanos()));
    return processor.handleRouted(rr.request(), rr.agentId(), rr.hints(), out -> learn(rr, out));
  }

  /**
   * Feeds the estimator with what the agent measured, and the estimate's error to the metrics. The
   * agent is busy for the evaluation and the commit (synchronous entry processors), so both are the
   * request's processing time: queue-time estimates built from evaluation alone undercounted a
   * queued request by its commit (about 2 ms against 0.1–3 ms of evaluation at 2,000 servers) and
   * made Kamino pile requests onto warm agents until they saturated.
   */
  private void learn(RoutedRequest rr, AgentOutcome out) {
    long measured = out.evaluateNanos() + out.commitNanos();
    metrics.estimateError(rr.estimateNanos() - measured);
    int[] rules = rr.ruleIds();
    synchronized (estimator) {
      if ("TOP_HIT".equals(out.lookup())) {
        estimator.recordTopHit(measured);
      } else if (rules.length > 0) {
        // the agent times the whole request, not each rule: spread it evenly over the rules, so
        // that an estimate (the sum over a request's rules) adds up to the whole again
        long share = measured / rules.length;
        for (int rule : rules) {
          if ("PARTIAL_HIT".equals(out.lookup())) {
            estimator.recordRuleHit(rule, share);
          } else {
            estimator.recordRuleMiss(rule, share);
          }
        }
      }
    }
  }

  private LatencyEstimator loadEstimator() {
    String json = null;
    try {
      json = state.get(ESTIMATOR_KEY);
      if (json != null) {
        LatencyEstimator e =
            LatencyEstimator.fromJson(json, ruleNames, EstimatorDefaults.DEFAULTS);
        LOG.info(() -> "latency estimator loaded from the grid: " + java.util.Arrays.toString(
            e.counts()) + " measurements (top hit, rule hit, rule miss)");
        return e;
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "the saved latency estimator cannot be read; starting from defaults",
          e);
    }
    return new LatencyEstimator(ruleNames, EstimatorDefaults.DEFAULTS);
  }

  /** Saves the estimator in the grid (the oldest member does it every few seconds). */
  public void save() {
    String json;
    synchronized (estimator) {
      json = estimator.toJson();
    }
    state.set(ESTIMATOR_KEY, json);
  }

  /** Resubmits the job if it ended (failed or was cancelled); the oldest member does it. */
  private void keepJobRunning() {
    try {
      if (!hz.getLifecycleService().isRunning()
          || !hz.getCluster().getMembers().iterator().next().localMember()) {
        return;
      }
      com.hazelcast.jet.Job job = hz.getJet().getJob(SchedulerJob.NAME);
      if (job == null || job.getStatus().isTerminal()) {
        LOG.warning(() -> "the scheduler job " + (job == null ? "is missing"
            : "ended (" + job.getStatus() + ")") + "; submitting it again");
        SchedulerJob.ensureRunning(hz);
        resubmissions.incrementAndGet();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "checking the scheduler job failed; retrying", e);
    }
  }

  /** How often this member resubmitted the job after it ended. */
  public long jobResubmissions() {
    return resubmissions.get();
  }

  private void saveQuietly() {
    try {
      if (hz.getLifecycleService().isRunning()
          && hz.getCluster().getMembers().iterator().next().localMember()) {
        save();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "saving the latency estimator failed; retrying", e);
    }
  }

  private static AgentLoad newer(AgentLoad a, AgentLoad b) {
    return b.publishedAtNanos() >= a.publishedAtNanos() ? b : a;
  }

  /** Keeps {@link #view} current: events carry the new indicators, so nothing is read back. */
  private final class LoadListener
      implements com.hazelcast.map.listener.EntryAddedListener<String, AgentLoad>,
          com.hazelcast.map.listener.EntryUpdatedListener<String, AgentLoad>,
          com.hazelcast.map.listener.EntryRemovedListener<String, AgentLoad> {
    @Override
    public void entryAdded(com.hazelcast.core.EntryEvent<String, AgentLoad> e) {
      view.merge(e.getKey(), e.getValue(), Scheduling::newer);
    }

    @Override
    public void entryUpdated(com.hazelcast.core.EntryEvent<String, AgentLoad> e) {
      metrics.indicatorDelay(AgentLoad.nowNanos() - e.getValue().publishedAtNanos());
      view.merge(e.getKey(), e.getValue(), Scheduling::newer);
    }

    @Override
    public void entryRemoved(com.hazelcast.core.EntryEvent<String, AgentLoad> e) {
      view.remove(e.getKey());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      loads.removeEntryListener(loadListenerId);
      hz.getUserContext().remove(CONTEXT_KEY, this);
    } catch (RuntimeException ignored) {
      // the member may already be stopped
    }
  }
}
