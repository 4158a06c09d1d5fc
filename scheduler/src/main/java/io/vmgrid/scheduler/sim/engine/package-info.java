/**
 * Engine mode of the simulator: every agent is a real rules-module engine and cache over a shared
 * generated inventory, and a request's service time is the counted work of really processing it.
 */
@NullMarked
package io.vmgrid.scheduler.sim.engine;

import org.jspecify.annotations.NullMarked;
