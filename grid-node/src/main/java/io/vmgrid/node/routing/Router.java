package io.vmgrid.node.routing;

import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.node.agent.AgentHost;
import io.vmgrid.node.agent.AgentUnavailableException;
import io.vmgrid.node.agent.RoutingHints;
import io.vmgrid.node.inventory.Mirrors;
import io.vmgrid.node.metrics.NodeMetrics;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.engine.RequestClass;
import io.vmgrid.rules.engine.RequestClassifier;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.Keys;
import io.vmgrid.scheduler.jet.AgentLoad;
import io.vmgrid.scheduler.jet.Selector;
import io.vmgrid.scheduler.policy.PolicySettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Decides, per request, which agent carries it out: the Kamino estimator (or the configured
 * baseline policy, run by the same {@link Selector} as in the simulator) over every agent in the
 * cluster, this member's with their live indicators and the others' as published
 * ({@link IndicatorBoard}).
 *
 * <p>An agent on another member costs a hop: the request travels there and its answer back. The
 * router adds that cost, measured ({@link #forwarded}), to a remote agent's latency estimate, so
 * Kamino sends a request away only when the estimate says the other agent finishes it sooner even
 * so (its cache holds the request type, or its queue is that much shorter). Baseline policies
 * ignore the cost, as they ignore every estimate.
 *
 * <p>With the {@code direct} policy there is no estimator, no classification and no published
 * indicator: each request goes to this member's agent with the shortest queue.
 */
public final class Router {
  /** Request types whose classification is remembered. */
  private static final int CLASSES = 100_000;

  private final AgentHost agents;
  private final @Nullable IndicatorBoard board;
  private final NodeMetrics metrics;
  private final String memberUuid;
  private final @Nullable Selector selector;
  private final RequestClassifier classifier;
  private final List<String> ruleNames;
  private final Map<String, ClassifiedRequest> classes = new ConcurrentHashMap<>();
  private final AtomicLong rotation = new AtomicLong();
  private final AtomicLong routed = new AtomicLong();
  private final AtomicLong remote = new AtomicLong();
  private final NodeClock clock;
  private final HopCost hop;

  /**
   * Where a request goes.
   *
   * @param agentId the agent
   * @param member UUID of the member it runs on
   * @param local whether that is this member
   * @param hints what the agent keeps in its indicators while the request waits
   * @param ruleIds the request's rules (catalogue ids), for learning from the agent's timing
   */
  @SuppressWarnings("ArrayRecordComponent") // never modified after routing
  public record Route(String agentId, String member, boolean local, RoutingHints hints,
      int[] ruleIds) {}

  /**
   * A router for {@code policy} ({@code direct} or a policy name), reading {@code board} and
   * {@code estimates} (both null for {@code direct}).
   */
  Router(AgentHost agents, @Nullable IndicatorBoard board, @Nullable Estimates estimates,
      RuleSet ruleSet, String policy, String memberUuid, NodeMetrics metrics, long seed,
      NodeClock clock) {
    this.agents = agents;
    this.clock = clock;
    this.hop = new HopCost(clock.nanoTime());
    this.board = board;
    this.metrics = metrics;
    this.memberUuid = memberUuid;
    this.classifier = new RequestClassifier(ruleSet);
    this.ruleNames = ruleSet.rules().stream().map(Rule::name).toList();
    this.selector = Scheduling.DIRECT.equals(policy) || estimates == null ? null
        : new Selector(policy, seed, PolicySettings.DEFAULTS, estimates);
  }

  /**
   * The agent for {@code r} (a valid allocation).
   *
   * @throws AgentUnavailableException if no agent is known anywhere (nothing was done)
   */
  public Route route(GridRequest r) {
    Selector s = selector;
    return s == null ? local() : select(s, r);
  }

  /** The direct path: the local agent with the shortest queue (ties in turn). */
  private Route local() {
    List<AgentHost.LocalAgent> local = agents.localIndicators();
    if (local.isEmpty()) {
      throw new AgentUnavailableException("no agent runs on this member now");
    }
    int n = local.size();
    int start = (int) Math.floorMod(rotation.getAndIncrement(), (long) n);
    AgentHost.LocalAgent best = local.get(start);
    for (int i = 1; i < n; i++) {
      AgentHost.LocalAgent a = local.get((start + i) % n);
      if (a.indicators().load() < best.indicators().load()) {
        best = a;
      }
    }
    routed.incrementAndGet();
    return new Route(best.agentId(), memberUuid, true, RoutingHints.NONE, new int[0]);
  }

  private Route select(Selector s, GridRequest r) {
    long t0 = clock.nanoTime();
    ClassifiedRequest c = classify(r);
    long t1 = clock.nanoTime();
    long now = AgentLoad.nowNanos();
    List<Selector.Candidate> candidates = new ArrayList<>();
    for (AgentHost.LocalAgent a : agents.localIndicators()) {
      candidates.add(new Selector.Candidate(a.agentId(), memberUuid, a.indicators(), now, 0, 0));
    }
    IndicatorBoard b = board;
    if (b != null) {
      long hopNanos = hop.at(t0);
      for (AgentLoad l : b.remote()) {
        candidates.add(new Selector.Candidate(l.agentId(), l.member(), l, l.publishedAtNanos(),
            Selector.TRANSIT_NANOS, hopNanos));
      }
    }
    if (candidates.isEmpty()) {
      throw new AgentUnavailableException("no agent is known in the cluster yet");
    }
    candidates.sort(java.util.Comparator.comparing(Selector.Candidate::agentId));
    Selector.Choice choice = s.choose(c, candidates, now);
    metrics.stage(NodeMetrics.Stage.CLASSIFY, t1 - t0);
    metrics.stage(NodeMetrics.Stage.SELECT, clock.nanoTime() - t1);
    metrics.indicatorAge(choice.indicatorAgeNanos());
    long[] ruleKeys = new long[c.ruleCount()];
    int[] ruleIds = new int[c.ruleCount()];
    for (int i = 0; i < ruleKeys.length; i++) {
      ruleKeys[i] = c.ruleKey(i);
      ruleIds[i] = c.ruleId(i);
    }
    routed.incrementAndGet();
    if (choice.remote()) {
      remote.incrementAndGet();
    }
    return new Route(choice.agentId(), choice.member(), !choice.remote(),
        new RoutingHints(c.typeKey(), ruleKeys, choice.estimateNanos()), ruleIds);
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
    if (classes.size() < CLASSES) {
      classes.put(type, c);
    }
    return c;
  }

  /**
   * Learns the hop's cost from a forward: its round trip less the time the other member spent on
   * the request ({@code remoteNanos}).
   */
  public void forwarded(long roundTripNanos, long remoteNanos) {
    hop.learn(Math.max(0, roundTripNanos - remoteNanos), clock.nanoTime());
  }

  /** The hop's cost the router assumes now. */
  public long hopNanos() {
    return hop.at(clock.nanoTime());
  }

  /** Agents this router can route to now (this member's and those other members published). */
  public int knownAgents() {
    IndicatorBoard b = board;
    return agents.localIndicators().size() + (b == null ? 0 : b.remote().size());
  }

  /** Requests routed so far. */
  public long routed() {
    return routed.get();
  }

  /** Requests routed to another member's agent so far. */
  public long routedRemote() {
    return remote.get();
  }
}
