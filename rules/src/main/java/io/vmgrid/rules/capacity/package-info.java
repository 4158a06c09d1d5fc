/**
 * Capacity under crunch (Protean, {@code ../shared/PAPERS.md} §1): headroom per VM type, what-if
 * analysis, fragmentation reports and consolidation plans, all computed by the real rule engine on
 * copies of an inventory, never on the live mirror. Entry point: {@link
 * io.vmgrid.rules.capacity.CapacityPlanner}; semantics in {@code docs/capacity.md}.
 */
@NullMarked
package io.vmgrid.rules.capacity;

import org.jspecify.annotations.NullMarked;
