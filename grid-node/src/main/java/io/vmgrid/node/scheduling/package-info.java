/**
 * The Kamino scheduler on the grid: a Jet job reads submitted requests from the {@code requests}
 * map's event journal, classifies each, picks an agent with the configured policy over near-cached
 * agent indicators, and routes the request over a partitioned edge to the member that owns the
 * agent's partition, where the agent places it and the outcome is written for the client.
 */
@NullMarked
package io.vmgrid.node.scheduling;

import org.jspecify.annotations.NullMarked;
