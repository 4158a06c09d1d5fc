/**
 * The grid side of the Kamino scheduler: the indicator record agents publish ({@link AgentLoad}),
 * its Compact serializer, and the {@link Selector} that a routing stage of the grid's Jet job uses
 * to run an unchanged {@link io.vmgrid.scheduler.api.SchedulingPolicy} over near-cached
 * indicators. The only package of this module that may use Hazelcast.
 */
@NullMarked
package io.vmgrid.scheduler.jet;

import org.jspecify.annotations.NullMarked;
