/**
 * Where requests enter a member: the {@code GridEndpoint} that {@code GridTask}s call, which
 * validates them, routes allocations to agents (here, or on another member with one forward per
 * member and batch), and carries out releases, moves and queries.
 */
@NullMarked
package io.vmgrid.node.intake;

import org.jspecify.annotations.NullMarked;
