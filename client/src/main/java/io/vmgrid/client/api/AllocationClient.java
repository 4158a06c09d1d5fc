package io.vmgrid.client.api;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import io.vmgrid.client.wire.CallbackThreads;
import io.vmgrid.client.wire.Checks;
import io.vmgrid.client.wire.Eviction;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.client.wire.ServerHealth;
import io.vmgrid.client.wire.WireSerialization;
import io.vmgrid.client.wire.query.CapacityAnswer;
import io.vmgrid.client.wire.query.ClustersAnswer;
import io.vmgrid.client.wire.query.ConsolidationAnswer;
import io.vmgrid.client.wire.query.ExplainAnswer;
import io.vmgrid.client.wire.query.FragmentationAnswer;
import io.vmgrid.client.wire.query.QueryAnswer;
import io.vmgrid.client.wire.query.QueryArguments;
import io.vmgrid.client.wire.query.WhatIfAnswer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Places and releases VMs on a vmgrid cluster. Thread-safe; one instance per application is enough.
 *
 * <p>Every request travels to a member in one invocation (a {@code GridTask} on the member's
 * executor) and its result comes back as that invocation's answer: no request or result entries in
 * the grid, no listeners, no polling. Under load, allocations bound for the same member travel
 * together. A request cut off by a member's departure is sent again with the same request id, which
 * the grid answers with the original placement, so nothing is placed twice. Futures complete on
 * Hazelcast's callback threads: do not block inside their callbacks.
 *
 * <pre>{@code
 * try (AllocationClient client = AllocationClient.connect(ClientSettings.of("127.0.0.1:5701"))) {
 *   AllocationOutcome outcome = client.allocate(VmRequest.builder()
 *       .vmId("vm-1").tenantId("tenant-a").cores(4).memoryMb(16_384).build()).join();
 * }
 * }</pre>
 */
public final class AllocationClient implements AutoCloseable {

  private final HazelcastInstance hazelcast;
  private final boolean ownsInstance;
  private final Duration timeout;
  private final LongSupplier nanoClock;
  private final Transport transport;
  private final InventoryReads reads;
  private final InventoryWrites writes;

  private AllocationClient(HazelcastInstance hazelcast, boolean ownsInstance, Duration timeout) {
    this.hazelcast = hazelcast;
    this.ownsInstance = ownsInstance;
    this.timeout = timeout;
    this.nanoClock = System::nanoTime;
    this.transport = new Transport(hazelcast, nanoClock);
    this.reads = new InventoryReads(hazelcast);
    this.writes = new InventoryWrites(hazelcast);
  }

  /**
   * Connects a new Hazelcast client to the cluster described by {@code settings}. Throws
   * {@link ClusterUnreachableException}, one line naming each address and what it answered, when no
   * member could be reached within {@link ClientSettings#connectTimeout()}, and sooner when every
   * address has answered no (refused, unknown host, a cluster of another name).
   */
  public static AllocationClient connect(ClientSettings settings) {
    return new AllocationClient(Connector.open(settings, clientConfig(settings)), true,
        settings.requestTimeout());
  }

  /**
   * Uses an existing Hazelcast instance (client or member) whose serialization config includes
   * {@link WireSerialization}; {@link #close()} leaves that instance running.
   */
  public static AllocationClient using(HazelcastInstance hazelcast, Duration requestTimeout) {
    return new AllocationClient(hazelcast, false, requestTimeout);
  }

  /** The Hazelcast client configuration this library uses for {@code settings}. */
  public static ClientConfig clientConfig(ClientSettings settings) {
    CallbackThreads.install(); // before the client exists: see there (2-core machines)
    ClientConfig config = new ClientConfig();
    config.setClusterName(settings.clusterName());
    config.getNetworkConfig().setAddresses(settings.addresses());
    config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(
        settings.requestTimeout().toMillis());
    config.setProperty("hazelcast.logging.type", System.getProperty("hazelcast.logging.type", "jdk"));
    WireSerialization.register(config.getSerializationConfig());
    return config;
  }

  /**
   * Asks the grid to place a VM. The future completes with {@link AllocationOutcome.Placed},
   * {@link AllocationOutcome.Rejected} or {@link AllocationOutcome.Failed} (never exceptionally for
   * grid-side problems; a timeout is a {@code Failed} with reason {@link Reason#TIMEOUT}).
   */
  public CompletableFuture<AllocationOutcome> allocate(VmRequest request) {
    long start = nanoClock.getAsLong();
    GridRequest wire = wire(request, GridRequest.Op.ALLOCATE, null);
    return submit(wire).handle((result, error) -> toOutcome(request, result, error, start));
  }

  /** Blocking variant of {@link #allocate(VmRequest)}. */
  public AllocationOutcome allocateAndWait(VmRequest request) {
    return allocate(request).join();
  }

  /**
   * Asks a member why {@code request} would be placed where it would, or rejected: per validator,
   * how many servers it removes, and the best candidates' scores. Nothing is placed. The request's
   * ids only label the query.
   */
  public CompletableFuture<Explanation> explain(VmRequest request) {
    return query(wire(request, GridRequest.Op.EXPLAIN, null), ExplainAnswer.class)
        .thenApply(QueryAnswers::explanation);
  }

  /**
   * Asks a member how many more VMs like {@code template} fit right now, per cluster and in total,
   * computed with the grid's rules on a copy of its inventory (nothing is placed). Costs about a
   * second per 5,000 copies on the member.
   */
  public CompletableFuture<CapacityHeadroom> capacity(VmRequest template) {
    return query(wire(template, GridRequest.Op.CAPACITY, null), CapacityAnswer.class)
        .thenApply(QueryAnswers::single);
  }

  /**
   * Asks a member how many more VMs fit right now for each template of {@code templates} (one
   * request's shape, or the shapes most common among the VMs placed now), per cluster and in total,
   * computed with the grid's rules on a copy of its inventory (nothing is placed).
   */
  public CompletableFuture<List<TemplateHeadroom>> capacity(CapacityTemplates templates) {
    return query(templates, GridRequest.Op.CAPACITY, new QueryArguments(), CapacityAnswer.class)
        .thenApply(QueryAnswers::templates);
  }

  /**
   * Asks a member for a consolidation plan that frees capacity for VMs like {@code template},
   * computed on a copy of its inventory (nothing moves).
   */
  public CompletableFuture<ConsolidationProposal> consolidationPlan(VmRequest template) {
    return consolidationPlan(CapacityTemplates.of(template));
  }

  /**
   * Asks a member for a consolidation plan that frees capacity for the templates of {@code
   * templates} (one request's shape, or the shapes in demand), computed on a copy of its inventory
   * (nothing moves).
   */
  public CompletableFuture<ConsolidationProposal> consolidationPlan(CapacityTemplates templates) {
    return query(templates, GridRequest.Op.CONSOLIDATE, new QueryArguments(),
        ConsolidationAnswer.class).thenApply(QueryAnswers::consolidation);
  }

  /**
   * Asks a member what {@code changes} would do before anyone makes them: headroom for each template
   * before and after, and the packing density of the current state before and after, computed on
   * copies of its inventory and rule set, in the order given (the live placements, servers and rules
   * are not touched). A change the member cannot apply (an unknown server or machine type, a rule
   * set that does not parse, a limit change on a rule set without a utilization limit) fails the
   * future with {@link InvalidRequestException} naming it ({@code changes[1].serverIds: unknown
   * server s9}).
   */
  public CompletableFuture<WhatIfOutcome> whatIf(CapacityTemplates templates,
      List<WhatIfChange> changes) {
    if (changes.isEmpty()) {
      throw new InvalidRequestException("changes", "changes: name at least one change");
    }
    return query(templates, GridRequest.Op.WHAT_IF, new QueryArguments(QueryArguments.NOT_GIVEN,
        QueryArguments.NOT_GIVEN, QueryAnswers.changes(changes)), WhatIfAnswer.class)
        .thenApply(QueryAnswers::whatIf);
  }

  /**
   * Asks a member where free capacity is stranded for the templates of {@code templates}: servers
   * whose free cores no template can use, most free cores first (at most {@code maxServers} listed).
   */
  public CompletableFuture<FragmentationSummary> fragmentation(CapacityTemplates templates,
      int maxServers) {
    return query(templates, GridRequest.Op.FRAGMENTATION, new QueryArguments(
        QueryArguments.NOT_GIVEN, checkedMaxServers(maxServers), List.of()),
        FragmentationAnswer.class).thenApply(QueryAnswers::fragmentation);
  }

  /** {@code maxServers} if {@link #fragmentation} takes it; else {@link InvalidRequestException}. */
  public static int checkedMaxServers(int maxServers) {
    if (maxServers < 0 || maxServers > 100_000) {
      throw new InvalidRequestException("maxServers",
          "maxServers: must be in [0, 100000], was " + maxServers);
    }
    return maxServers;
  }

  /**
   * Moves placed VM {@code vmId} to {@code targetServerId}: the grid checks the move against its
   * rules, places the VM on the target, records the new server, then releases the source. Completes
   * with the server the VM is on afterwards; fails with {@link GridOperationException} (reason
   * {@link Reason#MOVE_INVALID}, {@link Reason#CONFLICT}) or {@link UnknownVmException}, in which
   * case nothing moved.
   */
  public CompletableFuture<String> move(String vmId, String targetServerId) {
    String problem = Checks.idProblem("vmId", vmId);
    if (problem == null) {
      problem = Checks.idProblem("targetServerId", targetServerId);
    }
    if (problem != null) {
      throw InvalidRequestException.of(problem);
    }
    GridRequest wire = new GridRequest(GridRequest.Op.MOVE, UUID.randomUUID().toString(), vmId, "",
        0, 0, "", "", "", "", targetServerId);
    return submit(wire).thenApply(result -> {
      if (result.status() == GridResult.Status.PLACED) {
        return result.serverId();
      }
      throw failure(vmId, result);
    });
  }

  /**
   * Releases a VM. The future completes with {@link Released}, or exceptionally with
   * {@link UnknownVmException} if no such VM is allocated, or {@link GridOperationException} (e.g. on
   * timeout). An invalid {@code vmId} throws {@link InvalidRequestException} at once.
   */
  public CompletableFuture<Released> release(String vmId) {
    String problem = Checks.idProblem("vmId", vmId);
    if (problem != null) {
      throw InvalidRequestException.of(problem);
    }
    long start = nanoClock.getAsLong();
    GridRequest wire = new GridRequest(GridRequest.Op.RELEASE, UUID.randomUUID().toString(), vmId,
        "", 0, 0, "");
    return submit(wire).thenApply(result -> {
      if (result.status() == GridResult.Status.RELEASED) {
        return new Released(vmId, result.serverId(),
            Duration.ofNanos(nanoClock.getAsLong() - start));
      }
      throw failure(vmId, result);
    });
  }

  /** Blocking variant of {@link #release(String)}; throws what the future would complete with. */
  public Released releaseAndWait(String vmId) {
    try {
      return release(vmId).join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }

  private static RuntimeException failure(String vmId, GridResult result) {
    if (result.reason() == Reason.UNKNOWN_VM) {
      return new UnknownVmException(vmId, result.message());
    }
    if (result.reason() == Reason.INVALID_INPUT) {
      return InvalidRequestException.of(result.message());
    }
    return new GridOperationException(result.reason(), result.message());
  }

  /**
   * Places a batch (e.g. an availability set) all-or-nothing: if any VM cannot be placed, the VMs of
   * the batch that were placed are released again, so nothing of a failed batch stays held.
   *
   * <p>All-or-nothing because a partial availability set does not give the tenant the fault
   * tolerance it asked for. The rollback is a compensating release, not an atomic transaction: for a
   * few milliseconds other requests may see the batch's capacity as taken, and if this client dies
   * mid-batch the placed VMs stay (they are ordinary placements and can be released by id).
   */
  public CompletableFuture<BatchOutcome> allocateAll(List<VmRequest> batch) {
    return BatchAllocation.allocateAll(batch, this::allocate, this::release);
  }

  /** Where a VM is, or empty if no VM with this id is allocated. Reads the grid; sends no request. */
  public CompletableFuture<Optional<VmStatus>> status(String vmId) {
    String problem = Checks.idProblem("vmId", vmId);
    if (problem != null) {
      throw InvalidRequestException.of(problem);
    }
    IMap<Object, Object> placements = hazelcast.getMap(MapNames.PLACEMENTS);
    return placements.getAsync(vmId).toCompletableFuture()
        .thenApply(v -> Optional.ofNullable(reads.foreign().value(MapNames.PLACEMENTS, vmId, v,
            Placement.class)).map(InventoryReads::status));
  }

  /**
   * The eviction log: every VM the grid evicted (a preemption, a merge over capacity), oldest
   * first; only {@code tenantId}'s when it is not empty. Reads the grid; sends no request.
   */
  public List<EvictedVm> evictions(String tenantId) {
    if (!tenantId.isEmpty()) {
      String problem = Checks.idProblem("tenantId", tenantId);
      if (problem != null) {
        throw InvalidRequestException.of(problem);
      }
    }
    IMap<Object, Object> log = hazelcast.getMap(MapNames.EVICTIONS);
    List<EvictedVm> out = new ArrayList<>();
    for (Map.Entry<Object, Object> e : log.entrySet()) {
      Eviction ev = reads.foreign().value(MapNames.EVICTIONS, e.getKey(), e.getValue(),
          Eviction.class);
      if (ev != null && (tenantId.isEmpty() || ev.tenantId().equals(tenantId))) {
        out.add(EvictedVm.of(ev));
      }
    }
    out.sort(java.util.Comparator.comparing(EvictedVm::at).thenComparing(EvictedVm::vmId));
    return out;
  }

  /**
   * Calls {@code listener} with every VM the grid evicts from now on (each once per listener, on a
   * Hazelcast event thread: do not block in it); returns the id {@link #removeEvictionListener}
   * takes. A client that was disconnected misses the evictions of that time: read {@link
   * #evictions} after reconnecting.
   */
  public UUID addEvictionListener(Consumer<EvictedVm> listener) {
    java.util.Objects.requireNonNull(listener, "listener");
    IMap<Object, Object> log = hazelcast.getMap(MapNames.EVICTIONS);
    return log.addEntryListener((EntryAddedListener<Object, Object>) event -> {
      if (event.getValue() instanceof Eviction ev) {
        listener.accept(EvictedVm.of(ev));
      }
    }, true);
  }

  /** Stops the listener {@link #addEvictionListener} returned {@code id} for. */
  public boolean removeEvictionListener(UUID id) {
    return hazelcast.getMap(MapNames.EVICTIONS).removeEntryListener(id);
  }

  /**
   * Adds servers whose ids are not in the inventory yet, in batches; servers that already exist keep
   * their state and VMs. Returns the number added.
   */
  public CompletableFuture<Integer> loadInventory(Collection<ServerSpec> servers) {
    return reads.load(servers).thenApply(InventoryLoad::added);
  }

  /**
   * Adds servers whose ids are not in the inventory yet, in batches, and says what it found: servers
   * that exist already keep their state and VMs, and those the given specs describe otherwise (another
   * cluster, capacity or topology) are listed.
   */
  public CompletableFuture<InventoryLoad> loadInventoryReport(Collection<ServerSpec> servers) {
    return reads.load(servers);
  }

  /** Adds one server; fails with {@link InvalidRequestException} if the id is taken. */
  public CompletableFuture<Void> addServer(ServerSpec server) {
    return writes.addServer(server);
  }

  /**
   * Removes a server that hosts no VM. Fails with {@link UnknownServerException}, or
   * {@link GridOperationException} ({@code SERVER_NOT_EMPTY}) while it still hosts VMs.
   */
  public CompletableFuture<Void> removeServer(String serverId) {
    return writes.removeServer(serverId);
  }

  /**
   * Sets a server's health ({@code MAINTENANCE} drains it: no new VMs). Returns the previous health;
   * fails with {@link UnknownServerException}.
   */
  public CompletableFuture<ServerHealth> setHealth(String serverId, ServerHealth health) {
    return writes.setHealth(serverId, health);
  }

  /** Totals over the whole inventory (reads every server entry: an operator query, not a hot path). */
  public CompletableFuture<InventorySummary> inventory() {
    return reads.summary();
  }

  /**
   * Asks a member for each cluster's capacity, use and utilization limit, from its view of the
   * inventory and its rule set (an operator query; changes nothing).
   */
  public CompletableFuture<List<ClusterUsage>> clusters() {
    GridRequest wire = new GridRequest(GridRequest.Op.CLUSTERS, UUID.randomUUID().toString(),
        "clusters", "", 0, 0, "");
    return query(wire, ClustersAnswer.class).thenApply(QueryAnswers::clusters);
  }

  /** Server {@code serverId} as the inventory holds it now, or empty if there is none. */
  public CompletableFuture<Optional<ServerInfo>> server(String serverId) {
    return reads.server(InventoryWrites.checkedServerId(serverId));
  }

  /**
   * The VMs placed now that {@code filter} matches, by VM id. Queries every member's placement
   * records: an operator query.
   */
  public CompletableFuture<List<VmStatus>> vms(VmFilter filter) {
    return reads.vms(filter);
  }

  /**
   * The VMs that requests {@code requestIds} placed and that are placed now, by request id; lets a
   * caller that chooses its own request ids refuse one used for another VM before sending (the grid
   * refuses a request id reused for the same VM with other parameters by itself). Queries every
   * member's placement records: an operator query.
   */
  public CompletableFuture<Map<String, VmStatus>> placedBy(Collection<String> requestIds) {
    for (String id : requestIds) {
      String problem = Checks.idProblem("requestId", id);
      if (problem != null) {
        throw InvalidRequestException.of(problem);
      }
    }
    return reads.byRequest(requestIds);
  }

  /** The cluster's members as this client knows them, oldest first. */
  public List<MemberInfo> members() {
    return reads.members();
  }

  /** The requests on their way to each member (member address to count), for diagnostics. */
  public Map<String, Integer> outstandingByMember() {
    return transport.loads();
  }

  private static GridRequest wire(VmRequest request, GridRequest.Op op,
      @Nullable QueryArguments arguments) {
    return new GridRequest(op, op == GridRequest.Op.ALLOCATE ? request.requestId()
        : UUID.randomUUID().toString(), request.vmId(), request.tenantId(), request.cores(),
        request.memoryMb(), request.priority().name(), request.availabilitySet(),
        request.antiAffinityGroup(), request.clusterPin(), "", arguments);
  }

  /**
   * Sends query {@code op} about {@code templates} with {@code arguments} (whose {@code inDemand}
   * this sets from {@code templates}) and reads an answer of type {@code type}.
   */
  private <A extends QueryAnswer> CompletableFuture<A> query(CapacityTemplates templates,
      GridRequest.Op op, QueryArguments arguments, Class<A> type) {
    VmRequest request = templates.request();
    if (request == null) {
      QueryArguments args = new QueryArguments(templates.inDemand(), arguments.maxServers(),
          arguments.changes());
      // the query's ids only label it; cores and memory 0 ask for the shapes in demand
      return query(new GridRequest(op, UUID.randomUUID().toString(), "in-demand", "capacity-probe",
          0, 0, "REGULAR", "", "", "", "", args), type);
    }
    return query(wire(request, op, arguments), type);
  }

  /**
   * Sends query {@code wire} and reads its answer, of type {@code type}. A member of another
   * version may answer without one this client can read: the future then fails as INTERNAL.
   */
  private <A extends QueryAnswer> CompletableFuture<A> query(GridRequest wire, Class<A> type) {
    return submit(wire).thenApply(result -> {
      if (result.status() != GridResult.Status.ANSWERED) {
        throw failure(wire.vmId(), result);
      }
      QueryAnswer answer = result.answer();
      if (!type.isInstance(answer)) {
        throw new GridOperationException(Reason.INTERNAL, "unreadable answer: expected a "
            + type.getSimpleName() + ", got " + (answer == null
                ? "none this client can read (a member of an older version answers in JSON)"
                : answer.getClass().getSimpleName()));
      }
      return type.cast(answer);
    });
  }

  private CompletableFuture<GridResult> submit(GridRequest wire) {
    return transport.send(wire, timeout.toNanos())
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(e -> {
          Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
              ? e.getCause() : e;
          if (cause instanceof TimeoutException) {
            return CompletableFuture.failedFuture(new GridOperationException(Reason.TIMEOUT,
                "no outcome within " + timeout.toMillis() + " ms; the request may still complete"
                    + " later: retry with the same requestId to learn its outcome"));
          }
          return CompletableFuture.failedFuture(cause);
        });
  }

  private AllocationOutcome toOutcome(
      VmRequest request, @Nullable GridResult result, @Nullable Throwable error, long start) {
    Duration latency = Duration.ofNanos(nanoClock.getAsLong() - start);
    if (error != null || result == null) {
      Throwable cause = error == null ? new IllegalStateException("no result") : error;
      if (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof GridOperationException g) {
        return new AllocationOutcome.Failed(request.requestId(), request.vmId(), g.reason(),
            g.detail(), latency);
      }
      return new AllocationOutcome.Failed(request.requestId(), request.vmId(), Reason.INTERNAL,
          String.valueOf(cause), latency);
    }
    return switch (result.status()) {
      case PLACED ->
          new AllocationOutcome.Placed(
              request.requestId(), request.vmId(), result.serverId(), result.clusterId(),
              result.agentId(), result.attempts(), latency);
      case REJECTED ->
          new AllocationOutcome.Rejected(
              request.requestId(), request.vmId(), result.reason(), result.message(), latency);
      default ->
          new AllocationOutcome.Failed(
              request.requestId(), request.vmId(), result.reason(), result.message(), latency);
    };
  }

  /** Fails what is still on its way; closes the Hazelcast client if this object created it. */
  @Override
  public void close() {
    transport.close();
    if (ownsInstance) {
      hazelcast.shutdown();
    }
  }
}
