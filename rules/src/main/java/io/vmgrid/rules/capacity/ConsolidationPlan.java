package io.vmgrid.rules.capacity;

import java.util.List;

/**
 * An ordered list of migrations that frees usable capacity, each valid under the rules in the state
 * left by the moves before it (checked by simulating them in order on a copy). Apply in order, one
 * move at a time (place on the target, then release the source), checking each with {@link
 * CapacityPlanner#check} against the live state first; stopping between moves is safe.
 *
 * @param moves the migrations, in order
 * @param emptiedServers servers the plan empties completely
 * @param before fragmentation before the plan
 * @param after fragmentation after all moves
 * @param packingBefore packing before the plan
 * @param packingAfter packing after all moves
 */
public record ConsolidationPlan(
    List<Move> moves,
    List<String> emptiedServers,
    FragmentationReport before,
    FragmentationReport after,
    PackingStats packingBefore,
    PackingStats packingAfter) {

  /** Copies the lists. */
  public ConsolidationPlan {
    moves = List.copyOf(moves);
    emptiedServers = List.copyOf(emptiedServers);
  }

  /** Usable free cores gained by the plan. */
  public long usableCoresGained() {
    return after.usableCores() - before.usableCores();
  }

  /** Whether the plan has no moves. */
  public boolean isEmpty() {
    return moves.isEmpty();
  }
}
