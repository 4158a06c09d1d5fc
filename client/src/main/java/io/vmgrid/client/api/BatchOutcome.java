package io.vmgrid.client.api;

import java.util.List;

/**
 * The result of {@link AllocationClient#allocateAll}: either every VM was placed, or none is held.
 *
 * @param allPlaced whether every VM of the batch was placed
 * @param outcomes one outcome per request, in request order; when {@code allPlaced} is false, VMs that
 *     had been placed were released again and are reported as {@link AllocationOutcome.Rejected} with
 *     reason {@code BATCH_ROLLED_BACK}
 */
public record BatchOutcome(boolean allPlaced, List<AllocationOutcome> outcomes) {
  /** Copies the outcome list. */
  public BatchOutcome {
    outcomes = List.copyOf(outcomes);
  }
}
