/** vmgrid client module. */
@NullMarked
package io.vmgrid.client;

import org.jspecify.annotations.NullMarked;
