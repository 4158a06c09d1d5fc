/**
 * The Kamino scheduler on the grid: each member's router picks an agent per request with the
 * configured policy over every agent's indicators (its own agents' live, other members' as
 * published on the indicator board), and the cluster's Jet job keeps the latency estimates the
 * routers use (Kamino's background estimator).
 */
@NullMarked
package io.vmgrid.node.routing;

import org.jspecify.annotations.NullMarked;
