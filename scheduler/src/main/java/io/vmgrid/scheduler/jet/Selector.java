package io.vmgrid.scheduler.jet;

import io.vmgrid.scheduler.api.AgentIndicators;
import io.vmgrid.scheduler.api.AgentsView;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.LatencyEstimates;
import io.vmgrid.scheduler.api.SchedulingPolicy;
import io.vmgrid.scheduler.policy.PolicyContext;
import io.vmgrid.scheduler.policy.PolicyRegistry;
import io.vmgrid.scheduler.policy.PolicySettings;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@link SchedulingPolicy}, unchanged from the simulator, over the agents' published
 * indicators on one member of the grid.
 *
 * <p>The published indicators lag: a request this selector routed a moment ago is not yet in its
 * agent's queue as published. The selector therefore adds its own recent routings to each agent's
 * view (queue length, queue time, queued types and keys) until the agent publishes indicators
 * younger than the routing plus {@link #TRANSIT_NANOS}, by which time they include it. Routings by
 * other members' selectors are seen only through the published indicators; that staleness is the
 * grid's cost against the simulator's perfect view.
 *
 * <p>The policy is built for the current number of agents and rebuilt when the agent set changes.
 * {@link SchedulingPolicy#SHARED_QUEUE} and work stealing cannot be expressed on the grid (an agent's
 * queue lives on its member); a policy answering {@code SHARED_QUEUE} is routed round-robin, and
 * {@code hash-ws} routes by its consistent hash without stealing. Thread-safe.
 */
public final class Selector {
  /** Time after which a routed request is assumed to show in its agent's published indicators. */
  public static final long TRANSIT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  /** A routing is forgotten after this long even if the agent never published again. */
  static final long MAX_PENDING_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final String policyName;
  private final long seed;
  private final PolicySettings settings;
  private final LatencyEstimates estimates;
  private List<String> agentIds = List.of();
  private SchedulingPolicy policy;
  private final Map<String, ArrayDeque<Pending>> pending = new HashMap<>();
  private long fallback;

  /**
   * A selector for policy {@code policyName} (a {@link PolicyRegistry} name).
   *
   * @throws IllegalArgumentException if the policy is unknown
   */
  public Selector(String policyName, long seed, PolicySettings settings, LatencyEstimates estimates) {
    this.policyName = policyName;
    this.seed = seed;
    this.settings = settings;
    this.estimates = estimates;
    this.policy = PolicyRegistry.create(policyName, new PolicyContext(1, seed, settings));
  }

  /** The policy's name. */
  public String policyName() {
    return policyName;
  }

  /**
   * Picks the agent for {@code request} among {@code loads} (one per routable agent, in a stable
   * order such as by agent id) at time {@code nowNanos} (epoch nanoseconds).
   *
   * @throws IllegalArgumentException if there is no agent
   */
  public synchronized Choice select(ClassifiedRequest request, List<AgentLoad> loads, long nowNanos) {
    if (loads.isEmpty()) {
      throw new IllegalArgumentException("no agent to route to");
    }
    if (!sameAgents(loads)) {
      List<String> ids = new ArrayList<>(loads.size());
      for (AgentLoad l : loads) {
        ids.add(l.agentId());
      }
      agentIds = List.copyOf(ids);
      policy = PolicyRegistry.create(policyName, new PolicyContext(ids.size(), seed, settings));
      pending.keySet().retainAll(agentIds);
    }
    View[] views = new View[loads.size()];
    for (int i = 0; i < views.length; i++) {
      AgentLoad l = loads.get(i);
      ArrayDeque<Pending> mine = pending.computeIfAbsent(l.agentId(), k -> new ArrayDeque<>());
      while (!mine.isEmpty() && (mine.peekFirst().atNanos() + TRANSIT_NANOS < l.publishedAtNanos()
          || mine.peekFirst().atNanos() + MAX_PENDING_NANOS < nowNanos)) {
        mine.pollFirst();
      }
      views[i] = new View(l, mine);
    }
    AgentsView view = new AgentsView() {
      @Override
      public int size() {
        return views.length;
      }

      @Override
      public AgentIndicators agent(int index) {
        return views[index];
      }

      @Override
      public long nowNanos() {
        return nowNanos;
      }

      @Override
      public LatencyEstimates estimates() {
        return estimates;
      }
    };
    int chosen = policy.select(request, view);
    if (chosen < 0 || chosen >= views.length) { // SHARED_QUEUE cannot be expressed on the grid
      chosen = (int) Math.floorMod(fallback++, (long) views.length);
    }
    View target = views[chosen];
    long estimate = policy.estimateNanos(request, target, estimates);
    long[] rules = new long[request.ruleCount()];
    for (int i = 0; i < rules.length; i++) {
      rules[i] = request.ruleKey(i);
    }
    int believed = target.queueLength();
    target.pending.addLast(new Pending(request.typeKey(), rules, estimate, nowNanos));
    return new Choice(target.load.agentId(), target.load.member(), estimate,
        Math.max(0, nowNanos - target.load.publishedAtNanos()), target.load.queueLength(),
        believed);
  }

  private boolean sameAgents(List<AgentLoad> loads) {
    if (loads.size() != agentIds.size()) {
      return false;
    }
    for (int i = 0; i < loads.size(); i++) {
      if (!loads.get(i).agentId().equals(agentIds.get(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The routing decision.
   *
   * @param agentId the chosen agent
   * @param member the member it runs on (per its indicators)
   * @param estimateNanos the estimate stored with the request (added to the agent's queue time)
   * @param indicatorAgeNanos how old the chosen agent's published indicators were
   * @param publishedQueue the agent's queue length as published
   * @param believedQueue the queue length the policy saw (published plus this selector's routings)
   */
  public record Choice(String agentId, String member, long estimateNanos, long indicatorAgeNanos,
      int publishedQueue, int believedQueue) {}

  @SuppressWarnings("ArrayRecordComponent") // private, never modified
  private record Pending(long typeKey, long[] ruleKeys, long estimateNanos, long atNanos) {}

  /** An agent's published indicators plus this selector's routings not yet visible in them. */
  private static final class View implements AgentIndicators {
    private final AgentLoad load;
    private final ArrayDeque<Pending> pending;
    private final long pendingTime;

    View(AgentLoad load, ArrayDeque<Pending> pending) {
      this.load = Objects.requireNonNull(load);
      this.pending = pending;
      long t = 0;
      for (Pending p : pending) {
        t += p.estimateNanos();
      }
      this.pendingTime = t;
    }

    @Override
    public boolean augmentedHasType(long typeKey) {
      if (load.augmentedHasType(typeKey)) {
        return true;
      }
      for (Pending p : pending) {
        if (p.typeKey() == typeKey) {
          return true;
        }
      }
      return false;
    }

    @Override
    public boolean augmentedHasRule(long ruleKey) {
      if (load.augmentedHasRule(ruleKey)) {
        return true;
      }
      for (Pending p : pending) {
        for (long k : p.ruleKeys()) {
          if (k == ruleKey) {
            return true;
          }
        }
      }
      return false;
    }

    @Override
    public int queuedOfType(long typeKey) {
      int n = load.queuedOfType(typeKey);
      for (Pending p : pending) {
        if (p.typeKey() == typeKey) {
          n++;
        }
      }
      return n;
    }

    @Override
    public int queueLength() {
      return load.queueLength() + pending.size();
    }

    @Override
    public long queueTimeNanos() {
      return load.queueTimeNanos() + pendingTime;
    }

    @Override
    public boolean busy() {
      return load.busy();
    }

    @Override
    public long busySinceNanos() {
      return load.busySinceNanos();
    }

    @Override
    public long estimateAtStartNanos() {
      return load.estimateAtStartNanos();
    }
  }
}
