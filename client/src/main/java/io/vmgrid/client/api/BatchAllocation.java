package io.vmgrid.client.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The all-or-nothing batches of {@link AllocationClient#allocateAll}: every VM is allocated, and if
 * any is not placed, those that were are released again (a compensating release, not atomic).
 */
final class BatchAllocation {
  private BatchAllocation() {}

  /**
   * See {@link AllocationClient#allocateAll(List)}; {@code allocate} and {@code release} send one
   * request each.
   */
  static CompletableFuture<BatchOutcome> allocateAll(List<VmRequest> batch,
      Function<VmRequest, CompletableFuture<AllocationOutcome>> allocate,
      Function<String, CompletableFuture<Released>> release) {
    if (batch.isEmpty()) {
      throw new InvalidRequestException("requests", "requests: a batch needs at least one VM");
    }
    Set<String> vmIds = new HashSet<>();
    for (VmRequest r : batch) {
      if (!vmIds.add(r.vmId())) {
        throw new InvalidRequestException("vmId", "vmId: '" + r.vmId() + "' appears twice in the batch");
      }
    }
    List<CompletableFuture<AllocationOutcome>> futures = batch.stream().map(allocate).toList();
    return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
        .thenCompose(
            ignored -> {
              List<AllocationOutcome> outcomes = futures.stream().map(CompletableFuture::join).toList();
              if (outcomes.stream().allMatch(o -> o instanceof AllocationOutcome.Placed)) {
                return CompletableFuture.completedFuture(new BatchOutcome(true, outcomes));
              }
              return rollBack(outcomes, release);
            });
  }

  /** Releases the placed VMs of {@code outcomes}; each becomes a rejection saying what happened. */
  private static CompletableFuture<BatchOutcome> rollBack(List<AllocationOutcome> outcomes,
      Function<String, CompletableFuture<Released>> release) {
    List<CompletableFuture<AllocationOutcome>> rolled = new ArrayList<>();
    for (AllocationOutcome o : outcomes) {
      if (o instanceof AllocationOutcome.Placed p) {
        rolled.add(release.apply(p.vmId()).handle((released, error) -> new AllocationOutcome.Rejected(
            p.requestId(), p.vmId(), error == null ? Reason.BATCH_ROLLED_BACK : Reason.ROLLBACK_FAILED,
            error == null
                ? "placed on " + p.serverId() + " and released because another VM of the batch was"
                    + " not; its requestId is spent (a request id places once): retry with a new one"
                : "placed on " + p.serverId() + "; releasing it failed (" + error + "): release it by id",
            p.latency())));
      } else {
        rolled.add(CompletableFuture.completedFuture(o));
      }
    }
    return CompletableFuture.allOf(rolled.toArray(new CompletableFuture<?>[0]))
        .thenApply(ignored -> new BatchOutcome(false, rolled.stream().map(CompletableFuture::join).toList()));
  }
}
