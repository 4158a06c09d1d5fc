/**
 * Allocation agents (Protean): each a queue, a thread, a rule engine and its two-level cache over
 * this member's mirror, colocated with its {@code agent-cache} partition; their live Kamino
 * indicators; and the host that starts and stops them as partitions move.
 */
@NullMarked
package io.vmgrid.node.agent;

import org.jspecify.annotations.NullMarked;
