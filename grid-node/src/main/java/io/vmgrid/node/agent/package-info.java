/**
 * Allocation agents on the grid: the member-local inventory mirror, the agents (rule engine and
 * two-level cache, colocated with their {@code agent-cache} partition) and their host.
 */
@NullMarked
package io.vmgrid.node.agent;

import org.jspecify.annotations.NullMarked;
