package io.vmgrid.node.placement;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.agent.AgentHost;
import io.vmgrid.node.agent.AgentOutcome;
import io.vmgrid.node.agent.AgentTask;
import io.vmgrid.node.agent.AgentUnavailableException;
import io.vmgrid.node.agent.RoutingHints;
import io.vmgrid.rules.api.ValidationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import io.vmgrid.node.metrics.NodeMetrics;
import io.micrometer.core.instrument.Gauge;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Carries out the requests whose entries this member owns in the {@code requests} map: allocations
 * are handed to an allocation agent (round-robin, on the agent's member: the direct path until the
 * Kamino scheduler job routes them), releases are committed by {@link ReleaseVmProcessor}.
 *
 * <p>A local entry listener hands each new request to a worker pool; workers wait for the agent.
 *
 * <p>Idempotency: before committing, the request claims its VM id with {@code putIfAbsent} in
 * {@code placements}. A second request for the same VM id finds the claim and is refused. The agent
 * that commits the VM to a server then confirms that server in the claim
 * ({@link ConfirmPlacementProcessor}): the first confirmation wins and any other copy of the same
 * request (possible only after a member died and the request was adopted) is released again, so a
 * VM id ends up on at most one server. The claim is removed if no server takes the VM.
 */
public final class RequestProcessor implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RequestProcessor.class.getName());
  /** Agents a request is sent to, at most, when their members leave before answering. */
  static final int MAX_DISPATCHES = 5;
  /** Wait after an agent's member left before looking for the VM (its commit may be queued). */
  static final long MEMBER_GONE_GRACE_MILLIS = 1_000;
  /**
   * Longest wait for an agent's outcome. Past it the request fails unless the VM is found on a
   * server; an agent that commits later finds the claim gone and releases its commit.
   */
  static final long AGENT_WAIT_MILLIS = 60_000;
  /**
   * With the scheduler job routing allocations, how long a request's owner waits before it handles
   * an allocation the job has not answered (the job restarted, or was not running yet).
   */
  public static final long SCHEDULER_GRACE_MILLIS = 3_000;
  /**
   * Longest an owner defers to a job that is delivering: under overload the job's queues hold
   * requests for seconds, and handling them a second time only adds load.
   */
  static final long SCHEDULER_MAX_DEFER_MILLIS = 60_000;
  /**
   * Threads answering read-only queries ({@code EXPLAIN}, {@code CAPACITY}, {@code CONSOLIDATE},
   * {@code WHAT_IF}, {@code FRAGMENTATION}): apart from the allocation workers, so that a burst of
   * queries over a large inventory never holds up allocations, and allocations never starve queries.
   */
  static final int QUERY_THREADS = 2;
  /** Key of this member's processor in the Hazelcast user context. */
  private static final String CONTEXT_KEY = "vmgrid.requestProcessor";
  /** Reason marking an outcome found by scanning the servers after the agent's member left. */
  private static final String RECOVERED = "RECOVERED";

  private final IMap<String, GridRequest> requests;
  private final IMap<String, GridResult> results;
  private final IMap<String, ServerState> servers;
  private final IMap<String, Placement> placements;
  private final AgentHost agents;
  private final IExecutorService agentExecutor;
  private final AtomicLong processedByAgents = new AtomicLong();
  private final UUID listenerId;
  private final AtomicLong conflicts = new AtomicLong();
  private final AtomicLong processed = new AtomicLong();
  private final NodeMetrics metrics;
  private final ThreadPoolExecutor workers;
  private final ThreadPoolExecutor queries;
  private final HazelcastInstance hz;
  private final String memberId;
  /** Requests being handled on this member: the one gate for both the event and the rescan path. */
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final UUID membershipListenerId;
  private final UUID migrationListenerId;
  /** Whether the scheduler job routes allocations (else this member dispatches them itself). */
  private volatile boolean scheduled;
  /** When this member's part of the job last delivered a request ({@code System.nanoTime}). */
  private volatile java.util.function.LongSupplier lastJobDelivery = () -> Long.MIN_VALUE;
  private final AtomicLong afterGrace = new AtomicLong();
  private final java.util.concurrent.ScheduledExecutorService graceTimer =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vmgrid-grace");
        t.setDaemon(true);
        return t;
      });

  /** How the scheduler job routed an allocation: its agent, the router's hints, who learns. */
  private record Route(String agentId, RoutingHints hints, Consumer<AgentOutcome> observer) {}

  /** Starts processing the requests this member owns, on {@code workerCount} threads. */
  public RequestProcessor(
      HazelcastInstance hz, AgentHost agents, int workerCount, NodeMetrics metrics) {
    this.metrics = metrics;
    this.hz = hz;
    this.memberId = hz.getCluster().getLocalMember().getUuid().toString();
    this.requests = hz.getMap(MapNames.REQUESTS);
    this.results = hz.getMap(MapNames.RESULTS);
    this.servers = hz.getMap(MapNames.SERVERS);
    this.placements = hz.getMap(MapNames.PLACEMENTS);
    this.agents = agents;
    this.agentExecutor = hz.getExecutorService(AgentHost.EXECUTOR);
    this.workers = pool(workerCount, "vmgrid-worker-");
    this.queries = pool(QUERY_THREADS, "vmgrid-query-");
    Gauge.builder("vmgrid_worker_queue_length", workers, p -> p.getQueue().size())
        .description("Requests waiting for a worker on this member").register(metrics.registry());
    Gauge.builder("vmgrid_query_queue_length", queries, p -> p.getQueue().size())
        .description("Queries (explain, capacity, consolidation, what-if, fragmentation) waiting"
            + " for a query thread on this member").register(metrics.registry());
    hz.getUserContext().put(CONTEXT_KEY, this);
    IMap<String, Object> raw = hz.getMap(MapNames.REQUESTS);
    this.listenerId = raw.addLocalEntryListener(new Listener());
    this.migrationListenerId = hz.getPartitionService().addMigrationListener(new MigrationListener() {
      @Override
      public void migrationStarted(MigrationState state) {}

      @Override
      public void migrationFinished(MigrationState state) {
        startDaemon(() -> rescan("partitions migrated"), "vmgrid-rescan");
      }

      @Override
      public void replicaMigrationCompleted(ReplicaMigrationEvent event) {}

      @Override
      public void replicaMigrationFailed(ReplicaMigrationEvent event) {}
    });
    startDaemon(() -> rescan("processor started"), "vmgrid-rescan");
    this.membershipListenerId = hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {}

      @Override
      public void memberRemoved(MembershipEvent event) {
        Thread t = new Thread(RequestProcessor.this::adoptOrphans, "vmgrid-adopt");
        t.setDaemon(true);
        t.start();
      }
    });
  }

  private static ThreadPoolExecutor pool(int threads, String prefix) {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, prefix + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /** Whether {@code op} only reads (answered on the query threads, not the allocation workers). */
  static boolean isQuery(GridRequest.@Nullable Op op) {
    return op == GridRequest.Op.EXPLAIN || op == GridRequest.Op.CAPACITY
        || op == GridRequest.Op.CONSOLIDATE || op == GridRequest.Op.WHAT_IF
        || op == GridRequest.Op.FRAGMENTATION;
  }

  /** Whether {@code r} is answered on the query threads: a valid read-only query. */
  private static boolean onQueryThreads(GridRequest r) {
    return r.problem() == null && isQuery(r.op());
  }

  /**
   * Handles {@code request}, gated by {@link #inFlight}, on the query threads if it is a valid
   * query, else on the workers. Releases the gate if the pool refuses it (this member is closing:
   * the request's next owner re-examines it).
   */
  private void execute(GridRequest request, long arrived) {
    ThreadPoolExecutor pool = onQueryThreads(request) ? queries : workers;
    try {
      pool.execute(() -> handleGated(request, arrived));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      inFlight.remove(request.requestId());
    }
  }

  /** The query threads' executor (tests occupy it to show allocations do not depend on it). */
  java.util.concurrent.Executor queryExecutor() {
    return queries;
  }

  private static void startDaemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  /** The processor running on {@code hz}'s member, or null if none has started (yet). */
  static @Nullable RequestProcessor of(HazelcastInstance hz) {
    return hz.getUserContext().get(CONTEXT_KEY) instanceof RequestProcessor p ? p : null;
  }

  /**
   * Lets the scheduler job route allocations: from now on this member leaves the valid allocations
   * it owns to the job, and handles one itself only if it is still unanswered after
   * {@link #SCHEDULER_GRACE_MILLIS} (the job restarted or is not running).
   */
  public void routeAllocationsThroughScheduler() {
    scheduled = true;
  }

  /**
   * Tells the grace-period check when the job last delivered a request here: while the job keeps
   * delivering, an owner waits longer (up to {@link #SCHEDULER_MAX_DEFER_MILLIS}) before handling an
   * unanswered allocation itself, since the job is merely behind, not stopped.
   */
  public void jobDeliveries(java.util.function.LongSupplier lastDeliveryNanos) {
    this.lastJobDelivery = lastDeliveryNanos;
  }

  /**
   * The scheduler job's delivery: handles {@code request} on this member with the agent the job
   * chose (a local one: the job routed the request to the owner of the agent's partition) and
   * writes its outcome; {@code observer} sees the agent's outcome (for the latency estimator). The
   * future completes when the outcome is written (true) or the request was left to another handler
   * (false).
   */
  public CompletableFuture<Boolean> handleRouted(GridRequest request, String agentId,
      RoutingHints hints, Consumer<AgentOutcome> observer) {
    long arrived = System.nanoTime();
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    if (!inFlight.add(request.requestId())) {
      done.complete(false); // already being handled here
      return done;
    }
    try {
      workers.execute(() -> {
        try {
          handle(request, arrived, new Route(agentId, hints, observer));
          done.complete(true);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "routed request " + request.requestId() + " failed", e);
          done.complete(false);
        } finally {
          inFlight.remove(request.requestId());
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) { // shutting down
      inFlight.remove(request.requestId());
      done.complete(false);
    }
    return done;
  }

  /** Handles an allocation the scheduler job has not answered within its grace period. */
  private void afterGrace(String key, long arrived) {
    try {
      // the owner reads its own request locally; only an unanswered one costs the results lookup
      GridRequest current = requests.get(key);
      if (current == null || inFlight.contains(key) || results.containsKey(key)) {
        return;
      }
      long now = System.nanoTime();
      long last = lastJobDelivery.getAsLong();
      boolean jobDelivering = last != Long.MIN_VALUE && now - last < TimeUnit.SECONDS.toNanos(1);
      if (jobDelivering && now - arrived < TimeUnit.MILLISECONDS.toNanos(SCHEDULER_MAX_DEFER_MILLIS)) {
        var unused = graceTimer.schedule(() -> afterGrace(key, arrived), SCHEDULER_GRACE_MILLIS,
            TimeUnit.MILLISECONDS); // the job is behind, not stopped: look again later
        return;
      }
      if (inFlight.add(key)) {
        afterGrace.incrementAndGet();
        LOG.fine(() -> "the scheduler job did not answer " + key + " in time; handling it here");
        workers.execute(() -> handleGated(current, arrived));
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "grace check of " + key + " failed", e);
    }
  }

  /** Allocations this member handled itself because the scheduler job had not answered in time. */
  public long handledAfterGrace() {
    return afterGrace.get();
  }

  /** Whether a handler on this member is working on {@code requestId} right now. */
  boolean isInFlight(String requestId) {
    return inFlight.contains(requestId);
  }

  /** Commit conflicts seen so far (a server's current state refused what the view said fits). */
  public long conflicts() {
    return conflicts.get();
  }

  /** Requests answered so far. */
  public long processed() {
    return processed.get();
  }

  /**
   * After a member left, the requests whose partitions this member now owns (promoted backups) get
   * no entry event: handle every local request that is not in flight here. Waits (bounded) for the
   * partition table to settle first.
   */
  private void adoptOrphans() {
    rescan("a member left");
  }

  /**
   * Handles every request this member owns that is not in flight here. Requests can arrive without
   * an event: with a partition promoted from a backup (a member died) or migrated here before this
   * processor listened (a member joined); a copy of a request that another live member is still
   * handling is recognised by its claim and left to that member.
   */
  private void rescan(String why) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try {
      while (!hz.getPartitionService().isLocalMemberSafe() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      int adopted = 0;
      for (String key : requests.localKeySet()) {
        if (inFlight.add(key)) {
          adopted++;
          long arrived = System.nanoTime();
          workers.execute(() -> {
            GridRequest current = requests.get(key);
            if (current == null) { // answered meanwhile by the ordinary path
              inFlight.remove(key);
              return;
            }
            if (results.containsKey(key)) { // answered; its entry was not deleted yet
              requests.delete(key);
              inFlight.remove(key);
              return;
            }
            if (onQueryThreads(current)) {
              execute(current, arrived);
            } else {
              handleGated(current, arrived);
            }
          });
        }
      }
      int count = adopted;
      if (count > 0) {
        LOG.info(() -> why + ": re-examined " + count + " unanswered requests owned here");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "re-examining requests (" + why + ") failed", e);
    }
  }

  private void handleGated(GridRequest request, long arrivedNanos) {
    try {
      handle(request, arrivedNanos);
    } finally {
      inFlight.remove(request.requestId());
    }
  }

  private void handle(GridRequest request, long arrivedNanos) {
    handle(request, arrivedNanos, null);
  }

  private void handle(GridRequest request, long arrivedNanos, @Nullable Route route) {
    long start = System.nanoTime();
    metrics.stage(NodeMetrics.Stage.QUEUE, start - arrivedNanos);
    @Nullable GridResult result;
    try {
      String problem = request.problem();
      if (problem != null) {
        result = result(request, GridResult.Status.FAILED, "INVALID_INPUT", problem, "", 0, start);
      } else if (request.op() == GridRequest.Op.RELEASE) {
        result = release(request, start);
      } else if (request.op() == GridRequest.Op.EXPLAIN) {
        result = result(request, GridResult.Status.ANSWERED, "", agents.explainJson(request), "", 0,
            start);
      } else if (request.op() == GridRequest.Op.CAPACITY) {
        result = result(request, GridResult.Status.ANSWERED, "", agents.capacityJson(request), "",
            0, start);
      } else if (request.op() == GridRequest.Op.CONSOLIDATE) {
        result = result(request, GridResult.Status.ANSWERED, "", agents.consolidationJson(request),
            "", 0, start);
      } else if (request.op() == GridRequest.Op.WHAT_IF) {
        result = result(request, GridResult.Status.ANSWERED, "", agents.whatIfJson(request), "", 0,
            start);
      } else if (request.op() == GridRequest.Op.FRAGMENTATION) {
        result = result(request, GridResult.Status.ANSWERED, "", agents.fragmentationJson(request),
            "", 0, start);
      } else if (request.op() == GridRequest.Op.MOVE) {
        result = move(request, start);
      } else {
        result = allocate(request, start, route);
      }
    } catch (ValidationException e) { // a query's arguments do not fit this grid
      result = result(request, GridResult.Status.FAILED, "INVALID_INPUT",
          String.valueOf(e.getMessage()), "", 0, start);
    } catch (RuntimeException e) {
      if (isNoQuorum(e)) {
        result = result(request, GridResult.Status.FAILED, "NO_QUORUM",
            "this side of the cluster has fewer members than the placement quorum (a network split?);"
                + " nothing was committed: retry later or through another member", "", 0, start);
      } else {
        LOG.log(Level.WARNING, "request " + request.requestId() + " failed", e);
        result = result(request, GridResult.Status.FAILED, "INTERNAL", e.toString(), "", 0, start);
      }
    }
    if (result == null) {
      return; // a live member is working on this very request: it answers, not this copy
    }
    long deliver = System.nanoTime();
    results.set(request.requestId(), result);
    requests.deleteAsync(request.requestId()); // the outcome is out; the request entry is garbage
    long end = System.nanoTime();
    metrics.stage(NodeMetrics.Stage.DELIVER, end - deliver);
    metrics.request(request.op() == null ? "invalid" : request.op().name(), result.status().name(),
        result.reason(), end - arrivedNanos);
    processed.incrementAndGet();
  }

  private @Nullable GridResult allocate(GridRequest r, long start, @Nullable Route route) {
    // The claim names the agent the request goes to: if this member dies, whoever adopts the
    // request sends it to that same agent, whose FIFO queue and memory of recent placements make a
    // second copy harmless (it cannot race the first on another agent).
    String agent = route != null ? route.agentId() : awaitAgent();
    Placement claim =
        new Placement(r.vmId(), r.requestId(), Placement.State.PENDING, "", r.tenantId(), r.cores(),
            r.memoryMb(), owner(memberId, agent));
    Placement existing = placements.putIfAbsent(r.vmId(), claim);
    if (existing != null) {
      Placement adopted = adopt(r, existing);
      if (adopted == null) {
        return answerExisting(r, existing, start);
      }
      claim = adopted;
      agent = agentOf(adopted.owner(), agent);
      String host = findHost(r.vmId());
      if (host != null) { // the dead owner committed before it died
        return result(r, GridResult.Status.PLACED, "", "", confirm(r, host), 0, start);
      }
    }
    boolean committed = false;
    try {
      AgentOutcome out;
      try {
        out = dispatch(r, agent, route);
      } catch (RuntimeException e) {
        if (isNoQuorum(e)) {
          throw e;
        }
        // the agent may have committed before the failure: never drop a claim of a placed VM
        String host = findHost(r.vmId());
        LOG.info(() -> "dispatch of " + r.vmId() + " failed (" + e + "); found on: " + host);
        if (host == null) {
          throw e;
        }
        committed = true;
        return result(r, GridResult.Status.PLACED, "", "", confirm(r, host), 1, start);
      }
      metrics.stage(NodeMetrics.Stage.AGENT_QUEUE, out.queueNanos());
      metrics.stage(NodeMetrics.Stage.EVALUATE, out.evaluateNanos());
      metrics.stage(NodeMetrics.Stage.COMMIT, out.commitNanos());
      processedByAgents.incrementAndGet();
      conflicts.addAndGet(out.conflicts());
      if (out.status() == AgentOutcome.Status.PLACED) {
        committed = true; // the agent confirmed it in placements (ConfirmPlacementProcessor)
        String server = RECOVERED.equals(out.reason()) ? confirm(r, out.serverId()) : out.serverId();
        return placed(r, server, out.agentId(), out.attempts(), start);
      }
      GridResult.Status status = out.status() == AgentOutcome.Status.REJECTED
          ? GridResult.Status.REJECTED : GridResult.Status.FAILED;
      // a failure that names a server left the VM committed there, unrecorded (quorum lost
      // between commit and confirmation): the claim stays, for the sweeper to resolve
      committed = status == GridResult.Status.FAILED && !out.serverId().isEmpty();
      return result(r, status, out.reason(), out.message(), "", out.attempts(), start);
    } finally {
      if (!committed) {
        try {
          placements.remove(r.vmId(), claim);
        } catch (RuntimeException e) {
          // e.g. quorum lost meanwhile: the PENDING claim stays and is reported, never silently used
          LOG.log(Level.WARNING, "could not drop the claim of " + r.vmId() + "; it stays PENDING", e);
        }
      }
    }
  }

  /**
   * Sends {@code r} to the next agent (round-robin: the direct path until the scheduler job routes)
   * and waits for its outcome. If the agent's member leaves before answering, the agent may or may
   * not have committed: the servers are scanned for the VM, and only if it is nowhere is the request
   * sent to another agent.
   */
  private AgentOutcome dispatch(GridRequest r, String firstAgent, @Nullable Route route) {
    String agent = firstAgent;
    for (int attempt = 1; ; attempt++) {
      try {
        if (attempt == 1 && route != null) { // routed here by the job: the agent is local
          AgentOutcome out = agents.run(agent, r, route.hints())
              .get(AGENT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
          route.observer().accept(out);
          return out;
        }
        return agentExecutor.submitToKeyOwner(new AgentTask(agent, r), agent)
            .get(AGENT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        String host = findHost(r.vmId());
        if (host != null) {
          return new AgentOutcome(AgentOutcome.Status.PLACED, host, RECOVERED, "", agent, 1, 0, "",
              0, 0, 0);
        }
        throw new IllegalStateException("agent " + agent + " did not answer for " + r.vmId()
            + " within " + AGENT_WAIT_MILLIS + " ms; the request was given up", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while agent " + agent + " placed " + r.vmId(), e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        if (isNoQuorum(cause)) {
          throw new SplitBrainProtectionException(String.valueOf(cause.getMessage()));
        }
        if (isUnavailable(cause) && attempt < MAX_DISPATCHES) { // nothing was done: go elsewhere
          String busy = agent;
          agent = awaitAgentOtherThan(busy);
          continue;
        }
        if (!isMemberGone(cause) || attempt >= MAX_DISPATCHES) {
          throw new IllegalStateException("agent " + agent + " failed: " + cause, cause);
        }
        // the agent's commit may still be queued on a server's partition thread: give it time
        sleepQuietly(MEMBER_GONE_GRACE_MILLIS);
        String host = findHost(r.vmId());
        if (host != null) {
          return new AgentOutcome(AgentOutcome.Status.PLACED, host, RECOVERED, "", agent, 1, 0, "",
              0, 0, 0);
        }
        LOG.info(() -> "agent of " + r.vmId() + " left; found on: " + host);
        String gone = agent;
        agent = awaitAgent();
        LOG.info(() -> "agent " + gone + " left with " + r.vmId() + " unplaced; trying another");
      }
    }
  }

  /** Records a recovered placement in the VM's entry; returns the server it is recorded on. */
  private String confirm(GridRequest r, String host) {
    String answer = placements.executeOnKey(r.vmId(),
        new ConfirmPlacementProcessor(r.requestId(), host));
    return answer.startsWith(ConfirmPlacementProcessor.OK)
        ? answer.substring(ConfirmPlacementProcessor.OK.length()) : host;
  }

  /** A claim's owner: this member and the agent the request was sent to. */
  static String owner(String member, String agent) {
    return member + "|" + agent;
  }

  static String memberOf(String owner) {
    int bar = owner.indexOf('|');
    return bar < 0 ? owner : owner.substring(0, bar);
  }

  private static String agentOf(String owner, String fallback) {
    int bar = owner.indexOf('|');
    return bar < 0 || bar == owner.length() - 1 ? fallback : owner.substring(bar + 1);
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String awaitAgent() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      String agent = agents.nextAgent();
      if (agent != null) {
        return agent;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no allocation agent registered in the cluster after 30 s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for an agent", e);
      }
    }
  }

  private static boolean isUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AgentUnavailableException) {
        return true;
      }
    }
    return false;
  }

  private String awaitAgentOtherThan(String avoid) {
    for (int i = 0; i < 8; i++) {
      String next = awaitAgent();
      if (!next.equals(avoid)) {
        return next;
      }
    }
    return awaitAgent();
  }

  private static boolean isMemberGone(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MemberLeftException || t instanceof TargetNotMemberException
          || t instanceof HazelcastInstanceNotActiveException
          || t instanceof TargetDisconnectedException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Takes over the PENDING claim of this same request when the member that made it has left the
   * cluster (it died between claiming and answering); returns the adopted claim, or null.
   */
  private @Nullable Placement adopt(GridRequest r, Placement existing) {
    if (existing.state() != Placement.State.PENDING || !existing.requestId().equals(r.requestId())) {
      return null;
    }
    // a claim this member made is not held by any handler here: this one is the only handler of
    // the request on this member (the in-flight gate), so the earlier one finished without
    // resolving the claim (its member briefly lost the cluster, or it gave up)
    String claimant = memberOf(existing.owner());
    if (!claimant.equals(memberId)) {
      for (Member m : hz.getCluster().getMembers()) {
        if (m.getUuid().toString().equals(claimant)) {
          return null; // its owner is alive and still working on it
        }
      }
    }
    Placement mine = existing.ownedBy(owner(memberId, agentOf(existing.owner(), "")));
    if (!placements.replace(r.vmId(), existing, mine)) {
      return null;
    }
    LOG.info(() -> "took over the claim of " + r.vmId() + " from departed member " + existing.owner());
    return mine;
  }

  /** The server hosting {@code vmId} per the authoritative entries (a full scan: recovery only). */
  private @Nullable String findHost(String vmId) {
    return FindVmProcessor.hostOf(servers, vmId);
  }

  /** Answers a request whose VM id is claimed already; null if a live member is still on it. */
  private @Nullable GridResult answerExisting(GridRequest r, Placement existing, long start) {
    if (!existing.requestId().equals(r.requestId())) {
      return result(r, GridResult.Status.REJECTED, "VM_ID_IN_USE",
          "vmId: '" + r.vmId() + "' is already taken by request " + existing.requestId(), "", 0,
          start);
    }
    if (existing.state() == Placement.State.PLACED) { // answered from the record, with its agent
      return placed(r, existing.serverId(), agentOf(existing.owner(), ""), 0, start);
    }
    return null; // its owner is alive (adopt() said so) and answers when done
  }

  private GridResult release(GridRequest r, long start) {
    Placement placement = placements.get(r.vmId());
    if (placement == null) {
      return result(r, GridResult.Status.REJECTED, "UNKNOWN_VM",
          "vmId: no VM '" + r.vmId() + "' is allocated", "", 0, start);
    }
    if (placement.state() != Placement.State.PLACED) {
      return result(r, GridResult.Status.FAILED, "IN_PROGRESS",
          "vmId: '" + r.vmId() + "' is still being placed; retry later", "", 0, start);
    }
    CommitResult commit =
        servers.executeOnKey(placement.serverId(), new ReleaseVmProcessor(r.vmId()));
    boolean removed = placements.remove(r.vmId(), placement);
    if (commit.status() == CommitResult.Status.NOT_HOSTED && !removed) {
      return result(r, GridResult.Status.REJECTED, "UNKNOWN_VM",
          "vmId: '" + r.vmId() + "' was released concurrently", "", 1, start);
    }
    return result(r, GridResult.Status.RELEASED, "", "", placement.serverId(), 1, start);
  }

  /**
   * Moves a placed VM: checks the move against the rules on this member's mirror, places a copy on
   * the target (entry processor, capacity rechecked), switches the VM's placement record to the
   * target (compare-and-set), then releases the source. Interrupted after the copy is placed, the
   * record still names the source and the repair sweep releases the copy; nothing is ever lost.
   */
  private GridResult move(GridRequest r, long start) {
    Placement placement = placements.get(r.vmId());
    if (placement == null || placement.state() != Placement.State.PLACED) {
      return result(r, GridResult.Status.REJECTED, "UNKNOWN_VM",
          "vmId: no placed VM '" + r.vmId() + "'", "", 0, start);
    }
    String from = placement.serverId();
    String to = r.targetServerId();
    ServerState source = servers.get(from);
    HostedVm vm = source == null ? null : source.find(r.vmId());
    if (vm == null) {
      return result(r, GridResult.Status.REJECTED, "UNKNOWN_VM",
          "vmId: '" + r.vmId() + "' is not on " + from + " (moved or released meanwhile)", "", 0, start);
    }
    if (from.equals(to)) {
      return result(r, GridResult.Status.REJECTED, "MOVE_INVALID",
          "targetServerId: the VM is already on " + to, "", 0, start);
    }
    List<String> problems = agents.checkMove(vm, from, to);
    if (!problems.isEmpty()) {
      return result(r, GridResult.Status.REJECTED, "MOVE_INVALID",
          "move of " + r.vmId() + " to " + to + " breaks the rules: " + String.join("; ", problems),
          "", 0, start);
    }
    CommitResult placed = servers.executeOnKey(to, new PlaceVmProcessor(vm));
    if (!placed.hosted()) {
      return result(r, GridResult.Status.REJECTED, "CONFLICT",
          "target " + to + " refused the VM now: " + placed.status() + " " + placed.detail(), "", 1,
          start);
    }
    if (!placements.replace(r.vmId(), placement, placement.placedOn(to))) {
      servers.executeOnKey(to, new ReleaseVmProcessor(r.vmId()));
      return result(r, GridResult.Status.FAILED, "CONFLICT",
          "the VM's placement changed during the move; nothing was moved", "", 1, start);
    }
    servers.executeOnKey(from, new ReleaseVmProcessor(r.vmId()));
    return result(r, GridResult.Status.PLACED, "", "moved from " + from, to, 1, start);
  }

  private static boolean isNoQuorum(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SplitBrainProtectionException) {
        return true;
      }
    }
    return false;
  }

  private GridResult placed(GridRequest r, String serverId, String agentId, int attempts,
      long start) {
    long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
    return new GridResult(r.requestId(), r.clientId(), r.vmId(), GridResult.Status.PLACED, "", "",
        serverId, attempts, micros, agents.clusterOf(serverId), agentId);
  }

  private static GridResult result(
      GridRequest r, GridResult.Status status, String reason, String message, String serverId,
      int attempts, long start) {
    long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
    return new GridResult(r.requestId(), r.clientId(), r.vmId(), status, reason, message, serverId,
        attempts, micros);
  }

  @Override
  public void close() {
    try {
      hz.getUserContext().remove(CONTEXT_KEY, this);
      hz.getCluster().removeMembershipListener(membershipListenerId);
      hz.getPartitionService().removeMigrationListener(migrationListenerId);
    } catch (RuntimeException ignored) {
      // the member may already be shutting down
    }
    try {
      requests.removeEntryListener(listenerId);
    } catch (RuntimeException ignored) {
      // the member may already be shutting down
    }
    graceTimer.shutdownNow();
    // workers first: a rescan running on a worker may still hand a query to the query threads
    for (ThreadPoolExecutor pool : List.of(workers, queries)) {
      pool.shutdown();
      try {
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
          pool.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pool.shutdownNow();
      }
    }
  }

  /** Listens with raw values: anything but a {@link GridRequest} is logged and dropped. */
  private final class Listener implements EntryAddedListener<String, Object>,
      EntryUpdatedListener<String, Object>, EntryMergedListener<String, Object> {
    @Override
    public void entryAdded(EntryEvent<String, Object> event) {
      submit(event);
    }

    /**
     * A request written on the other side of a healed split arrives as a merge, not an add; it is
     * handled like any other (a copy of one already answered finds its placement by request id).
     */
    @Override
    public void entryMerged(EntryEvent<String, Object> event) {
      submit(event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, Object> event) {
      submit(event);
    }

    private void submit(EntryEvent<String, Object> event) {
      String key = event.getKey();
      Object value;
      try {
        value = event.getValue();
      } catch (RuntimeException e) { // e.g. a class the deserialization filter refuses
        LOG.warning(() -> "dropping request " + key + ": its value cannot be read: " + e);
        requests.delete(key);
        return;
      }
      if (value instanceof GridRequest request) {
        long arrived = System.nanoTime();
        if (scheduled && request.op() == GridRequest.Op.ALLOCATE && request.problem() == null) {
          // the scheduler job routes it; handle it here only if the job has not answered in time
          var unused = graceTimer.schedule(() -> afterGrace(request.requestId(), arrived),
              SCHEDULER_GRACE_MILLIS, TimeUnit.MILLISECONDS);
          return;
        }
        if (inFlight.add(request.requestId())) {
          execute(request, arrived);
        }
      } else {
        LOG.warning(() -> "dropping request " + key + ": not a GridRequest but "
            + (value == null ? "null" : value.getClass().getName()));
        requests.delete(key);
      }
    }
  }
}
