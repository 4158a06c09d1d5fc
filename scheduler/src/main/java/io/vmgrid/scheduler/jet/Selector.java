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
 * Runs one {@link SchedulingPolicy}, unchanged from the simulator, over the agents' indicators on
 * one member of the grid: its own agents' live indicators and the other members' as published.
 *
 * <p>Published indicators lag: a request this selector routed a moment ago is not yet in its
 * agent's queue as published. The selector therefore adds its own recent routings to each agent's
 * view (queue length, queue time, queued types and keys) until the agent's indicators were observed
 * later than the routing plus the candidate's transit time, by which time they include it (for a
 * local agent read live, at once). Routings by other members' selectors are seen only through the
 * published indicators; that staleness is the grid's cost against the simulator's perfect view.
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
  public Choice select(ClassifiedRequest request, List<AgentLoad> loads, long nowNanos) {
    List<Candidate> candidates = new ArrayList<>(loads.size());
    for (AgentLoad l : loads) {
      candidates.add(new Candidate(l.agentId(), l.member(), l, l.publishedAtNanos(), TRANSIT_NANOS,
          0));
    }
    return choose(request, candidates, nowNanos);
  }

  /**
   * One agent a request may go to, as this member sees it.
   *
   * @param agentId the agent
   * @param member the member it runs on
   * @param indicators its indicators (live, or as published)
   * @param observedAtNanos when they were true (epoch nanoseconds; now for live ones)
   * @param transitNanos how long a routing takes to show in them (0 for live ones)
   * @param transferNanos what reaching the agent adds to a request's latency (the hop to its
   *     member; 0 for a local agent)
   */
  public record Candidate(String agentId, String member, AgentIndicators indicators,
      long observedAtNanos, long transitNanos, long transferNanos) {}

  /**
   * Picks the agent for {@code request} among {@code loads} (one per routable agent, in a stable
   * order such as by agent id) at time {@code nowNanos} (epoch nanoseconds).
   *
   * @throws IllegalArgumentException if there is no agent
   */
  public synchronized Choice choose(ClassifiedRequest request, List<Candidate> loads,
      long nowNanos) {
    if (loads.isEmpty()) {
      throw new IllegalArgumentException("no agent to route to");
    }
    if (!sameAgents(loads)) {
      adoptAgents(loads);
    }
    View[] views = views(loads, nowNanos);
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
        Math.max(0, nowNanos - target.load.observedAtNanos()), target.load.indicators().queueLength(),
        believed, target.load.transferNanos() != 0);
  }

  /** Rebuilds the policy for the agents of {@code loads} and forgets the routings to any other. */
  private void adoptAgents(List<Candidate> loads) {
    List<String> ids = new ArrayList<>(loads.size());
    for (Candidate l : loads) {
      ids.add(l.agentId());
    }
    agentIds = List.copyOf(ids);
    policy = PolicyRegistry.create(policyName, new PolicyContext(ids.size(), seed, settings));
    pending.keySet().retainAll(agentIds);
  }

  /**
   * Each candidate's view at {@code nowNanos}: its indicators plus this selector's routings to it,
   * less those the indicators include by now or that are too old.
   */
  private View[] views(List<Candidate> loads, long nowNanos) {
    View[] views = new View[loads.size()];
    for (int i = 0; i < views.length; i++) {
      Candidate l = loads.get(i);
      ArrayDeque<Pending> mine = pending.computeIfAbsent(l.agentId(), k -> new ArrayDeque<>());
      while (!mine.isEmpty() && (mine.peekFirst().atNanos() + l.transitNanos() < l.observedAtNanos()
          || mine.peekFirst().atNanos() + MAX_PENDING_NANOS < nowNanos)) {
        mine.pollFirst();
      }
      views[i] = new View(l, mine);
    }
    return views;
  }

  private boolean sameAgents(List<Candidate> loads) {
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
   * @param remote whether the agent runs on another member (the request must travel there)
   */
  public record Choice(String agentId, String member, long estimateNanos, long indicatorAgeNanos,
      int publishedQueue, int believedQueue, boolean remote) {}

  @SuppressWarnings("ArrayRecordComponent") // private, never modified
  private record Pending(long typeKey, long[] ruleKeys, long estimateNanos, long atNanos) {}

  /** An agent's indicators plus this selector's routings not yet visible in them. */
  private static final class View implements AgentIndicators {
    private final Candidate load;
    private final ArrayDeque<Pending> pending;
    private final long pendingTime;

    View(Candidate load, ArrayDeque<Pending> pending) {
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
      if (load.indicators().augmentedHasType(typeKey)) {
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
      if (load.indicators().augmentedHasRule(ruleKey)) {
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
      int n = load.indicators().queuedOfType(typeKey);
      for (Pending p : pending) {
        if (p.typeKey() == typeKey) {
          n++;
        }
      }
      return n;
    }

    @Override
    public int queueLength() {
      return load.indicators().queueLength() + pending.size();
    }

    @Override
    public long queueTimeNanos() {
      return load.indicators().queueTimeNanos() + pendingTime;
    }

    @Override
    public boolean busy() {
      return load.indicators().busy();
    }

    @Override
    public long busySinceNanos() {
      return load.indicators().busySinceNanos();
    }

    @Override
    public long transferNanos() {
      return load.transferNanos();
    }

    @Override
    public long estimateAtStartNanos() {
      return load.indicators().estimateAtStartNanos();
    }
  }
}
