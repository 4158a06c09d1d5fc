package io.vmgrid.client.api;

import java.util.List;

/**
 * A consolidation plan a grid member computed for the VM type in demand: migrations that free the
 * most usable capacity, each valid under the rules at its point in the plan. Nothing has moved yet;
 * apply the moves in order with {@link AllocationClient#move(String, String)} (each is checked
 * against the live state again, and stopping between moves is safe).
 *
 * @param templates the ids of the VM types the plan frees capacity for (a request's VM id, or the
 *     shape ids of the types in demand)
 * @param moves the migrations, in order
 * @param emptiedServers servers the plan would empty
 * @param usableCoresGained free cores the VM type in demand could use after the plan, minus before
 * @param strandedCoresBefore free cores no VM of that type can use, before
 * @param strandedCoresAfter the same after the plan
 * @param densityBefore packing density before (allocated ÷ cores of non-empty servers)
 * @param densityAfter packing density after
 */
public record ConsolidationProposal(
    List<String> templates,
    List<Move> moves,
    List<String> emptiedServers,
    long usableCoresGained,
    long strandedCoresBefore,
    long strandedCoresAfter,
    double densityBefore,
    double densityAfter) {

  /** Copies the lists. */
  public ConsolidationProposal {
    templates = List.copyOf(templates);
    moves = List.copyOf(moves);
    emptiedServers = List.copyOf(emptiedServers);
  }

  /**
   * One migration.
   *
   * @param vmId the VM
   * @param fromServerId where it is
   * @param toServerId where it goes
   * @param cores its cores
   * @param memoryMb its memory, MiB
   */
  public record Move(String vmId, String fromServerId, String toServerId, long cores, long memoryMb) {}
}
