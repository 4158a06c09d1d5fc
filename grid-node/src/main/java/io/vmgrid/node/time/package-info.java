/**
 * The member's time: one {@link io.vmgrid.node.time.NodeClock} (monotonic nanoseconds, wall-clock
 * milliseconds, waiting) that every timing decision of grid-node reads, installed in the
 * Hazelcast member's user context so tests drive staleness, grace periods, backoff and sweeps
 * with a manual clock instead of sleeping.
 */
@NullMarked
package io.vmgrid.node.time;

import org.jspecify.annotations.NullMarked;
