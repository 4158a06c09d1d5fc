/** Outcome delivery: what happened to a request, as the answer its client receives, counted. */
@NullMarked
package io.vmgrid.node.delivery;

import org.jspecify.annotations.NullMarked;
