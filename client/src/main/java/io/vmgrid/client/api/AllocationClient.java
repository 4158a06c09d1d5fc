package io.vmgrid.client.api;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.query.Predicates;
import io.vmgrid.client.wire.Checks;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.WireSerialization;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Places and releases VMs on a vmgrid cluster. Thread-safe; one instance per application is enough.
 *
 * <p>A request is written to the grid's {@code requests} map under its id; the grid answers in the
 * {@code results} map, and this client receives the answer pushed by one entry listener filtered on its
 * own client id (no polling). Futures complete on a Hazelcast event thread: do not block inside their
 * callbacks.
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
  private final String clientId = "c-" + UUID.randomUUID();
  private final IMap<String, GridRequest> requests;
  private final IMap<String, GridResult> results;
  private final Map<String, CompletableFuture<GridResult>> pending = new ConcurrentHashMap<>();
  /** Result deletions not yet acknowledged; close() waits for them briefly. */
  private final AtomicInteger cleanups = new AtomicInteger();
  private final UUID listenerId;
  private final LongSupplier nanoClock;

  private AllocationClient(HazelcastInstance hazelcast, boolean ownsInstance, Duration timeout) {
    this.hazelcast = hazelcast;
    this.ownsInstance = ownsInstance;
    this.timeout = timeout;
    this.nanoClock = System::nanoTime;
    this.requests = hazelcast.getMap(MapNames.REQUESTS);
    this.results = hazelcast.getMap(MapNames.RESULTS);
    this.listenerId =
        results.addEntryListener(new ResultListener(), Predicates.equal("clientId", clientId), true);
  }

  /** Connects a new Hazelcast client to the cluster described by {@code settings}. */
  public static AllocationClient connect(ClientSettings settings) {
    return new AllocationClient(
        HazelcastClient.newHazelcastClient(clientConfig(settings)), true, settings.requestTimeout());
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
   * grid-side problems; a timeout is a {@code Failed} with reason {@code TIMEOUT}).
   */
  public CompletableFuture<AllocationOutcome> allocate(VmRequest request) {
    long start = nanoClock.getAsLong();
    GridRequest wire =
        new GridRequest(
            GridRequest.Op.ALLOCATE,
            request.requestId(),
            clientId,
            request.vmId(),
            request.tenantId(),
            request.cores(),
            request.memoryMb(),
            request.priority().name(),
            System.currentTimeMillis());
    return submit(wire).handle((result, error) -> toOutcome(request, result, error, start));
  }

  /** Blocking variant of {@link #allocate(VmRequest)}. */
  public AllocationOutcome allocateAndWait(VmRequest request) {
    return allocate(request).join();
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
    GridRequest wire =
        new GridRequest(GridRequest.Op.RELEASE, UUID.randomUUID().toString(), clientId, vmId, "",
            0, 0, "", System.currentTimeMillis());
    return submit(wire)
        .thenApply(
            result -> {
              Duration latency = Duration.ofNanos(nanoClock.getAsLong() - start);
              return switch (result.status()) {
                case RELEASED -> new Released(vmId, result.serverId(), latency);
                case REJECTED -> {
                  if ("UNKNOWN_VM".equals(result.reason())) {
                    throw new UnknownVmException(vmId, result.message());
                  }
                  throw new GridOperationException(result.reason(), result.message());
                }
                default -> throw new GridOperationException(result.reason(), result.message());
              };
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

  /** The id under which this client's results are delivered. */
  public String clientId() {
    return clientId;
  }

  private CompletableFuture<GridResult> submit(GridRequest wire) {
    CompletableFuture<GridResult> future = new CompletableFuture<>();
    pending.put(wire.requestId(), future);
    requests
        .setAsync(wire.requestId(), wire)
        .whenComplete(
            (ignored, error) -> {
              if (error != null) {
                future.completeExceptionally(error);
              }
            });
    return future
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((r, e) -> pending.remove(wire.requestId(), future));
  }

  private AllocationOutcome toOutcome(
      VmRequest request, @Nullable GridResult result, @Nullable Throwable error, long start) {
    Duration latency = Duration.ofNanos(nanoClock.getAsLong() - start);
    if (error != null || result == null) {
      Throwable cause = error == null ? new IllegalStateException("no result") : error;
      if (cause.getCause() != null) {
        cause = cause.getCause();
      }
      String reason = cause instanceof TimeoutException ? "TIMEOUT" : "INTERNAL";
      String message =
          cause instanceof TimeoutException
              ? "no outcome within " + timeout.toMillis() + " ms; the request may still complete"
                  + " later: retry with the same requestId to learn its outcome"
              : String.valueOf(cause);
      return new AllocationOutcome.Failed(
          request.requestId(), request.vmId(), reason, message, latency);
    }
    return switch (result.status()) {
      case PLACED ->
          new AllocationOutcome.Placed(
              request.requestId(), request.vmId(), result.serverId(), result.attempts(), latency);
      case REJECTED ->
          new AllocationOutcome.Rejected(
              request.requestId(), request.vmId(), result.reason(), result.message(), latency);
      default ->
          new AllocationOutcome.Failed(
              request.requestId(), request.vmId(), result.reason(), result.message(), latency);
    };
  }

  /** Stops listening; closes the Hazelcast client if this object created it. */
  @Override
  public void close() {
    try {
      results.removeEntryListener(listenerId);
    } catch (RuntimeException ignored) {
      // the instance may already be shut down; nothing is left to clean up then
    }
    // Let outstanding result deletions finish; any left behind expire on the grid (time to live).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (cleanups.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    GridOperationException closed = new GridOperationException("CLOSED", "client closed");
    pending.values().forEach(f -> f.completeExceptionally(closed));
    if (ownsInstance) {
      hazelcast.shutdown();
    }
  }

  private final class ResultListener
      implements EntryAddedListener<String, GridResult>, EntryUpdatedListener<String, GridResult> {
    @Override
    public void entryAdded(EntryEvent<String, GridResult> event) {
      deliver(event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, GridResult> event) {
      deliver(event);
    }

    private void deliver(EntryEvent<String, GridResult> event) {
      CompletableFuture<GridResult> future = pending.remove(event.getKey());
      GridResult result = event.getValue();
      if (future != null && result != null) {
        future.complete(result);
        cleanups.incrementAndGet();
        var unused = results.deleteAsync(event.getKey()).whenComplete((ok, e) -> cleanups.decrementAndGet());
      }
    }
  }
}
