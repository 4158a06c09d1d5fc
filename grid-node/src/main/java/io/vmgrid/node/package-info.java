/** vmgrid grid-node module. */
@NullMarked
package io.vmgrid.node;

import org.jspecify.annotations.NullMarked;
