/**
 * What a member reports about itself: its Prometheus registry and the gauges over its inventory view,
 * CPU by thread group, Hazelcast's own counters of the grid work it did, its health (live, ready,
 * safe) and the small HTTP server that serves them.
 */
@NullMarked
package io.vmgrid.node.metrics;

import org.jspecify.annotations.NullMarked;
