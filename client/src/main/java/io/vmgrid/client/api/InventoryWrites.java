package io.vmgrid.client.api;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.wire.Checks;
import io.vmgrid.client.wire.InventoryProcessors;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerHealth;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.client.wire.ServerWrites;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The operator's writes of single servers behind {@link AllocationClient}: entry processors on the
 * {@code servers} map (no request to a member's intake), whose answers become the client's
 * exceptions.
 */
final class InventoryWrites {
  private final HazelcastInstance hazelcast;

  InventoryWrites(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  /** See {@link AllocationClient#addServer(ServerSpec)}. */
  CompletableFuture<Void> addServer(ServerSpec server) {
    IMap<String, ServerState> map = hazelcast.getMap(MapNames.SERVERS);
    return unconfirmedInDoubt(map.submitToKey(server.serverId(),
            new InventoryProcessors.AddServer(server.initialState())).toCompletableFuture(),
        "adding server '" + server.serverId() + "'")
        .thenAccept(r -> {
          if (!"ADDED".equals(r)) {
            throw new InvalidRequestException(
                "serverId", "serverId: '" + server.serverId() + "' is already in the inventory");
          }
        });
  }

  /** See {@link AllocationClient#removeServer(String)}. */
  CompletableFuture<Void> removeServer(String serverId) {
    IMap<String, ServerState> map = hazelcast.getMap(MapNames.SERVERS);
    return unconfirmedInDoubt(map.submitToKey(checkedServerId(serverId),
            new InventoryProcessors.RemoveServer()).toCompletableFuture(),
        "removing server '" + serverId + "'")
        .thenAccept(r -> {
          if (InventoryProcessors.UNKNOWN.equals(r)) {
            throw new UnknownServerException(serverId);
          }
          if (!"REMOVED".equals(r)) {
            throw new GridOperationException(Reason.SERVER_NOT_EMPTY, "serverId: '" + serverId + "' "
                + r.toLowerCase(java.util.Locale.ROOT) + " VMs; drain it and release them first");
          }
        });
  }

  /** See {@link AllocationClient#setHealth(String, ServerHealth)}. */
  CompletableFuture<ServerHealth> setHealth(String serverId, ServerHealth health) {
    IMap<String, ServerState> map = hazelcast.getMap(MapNames.SERVERS);
    return unconfirmedInDoubt(map.submitToKey(checkedServerId(serverId),
            new InventoryProcessors.SetHealth(health)).toCompletableFuture(),
        "setting the health of server '" + serverId + "'")
        .thenApply(r -> {
          if (InventoryProcessors.UNKNOWN.equals(r)) {
            throw new UnknownServerException(serverId);
          }
          return ServerHealth.parse("health", r);
        });
  }

  /** {@code serverId} if it is a valid id; else {@link InvalidRequestException}. */
  static String checkedServerId(String serverId) {
    String problem = Checks.idProblem("serverId", serverId);
    if (problem != null) {
      throw InvalidRequestException.of(problem);
    }
    return serverId;
  }

  /**
   * {@code write}, failing with {@link GridOperationException} ({@link Reason#IN_DOUBT}) instead of
   * Hazelcast's {@code IndeterminateOperationStateException} when the write ran on its primary but
   * its backups did not acknowledge in time: a member ran the write for this client (single-member
   * routing, or an operation members carry out for clients) and members fail such writes.
   */
  private static <T> CompletableFuture<T> unconfirmedInDoubt(CompletableFuture<T> write,
      String what) {
    return write.exceptionally(e -> {
      if (ServerWrites.indeterminate(e)) {
        throw new GridOperationException(Reason.IN_DOUBT, what + ": the write ran on its primary"
            + " but its backups did not confirm in time (a member is slow, stopped or cut off); it"
            + " may or may not stand: read the server back once the cluster is settled");
      }
      throw e instanceof CompletionException c ? c : new CompletionException(e);
    });
  }
}
