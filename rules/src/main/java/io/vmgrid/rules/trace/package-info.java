/** Readers for the Azure packing trace and seeded inventory and constraint generators. */
@NullMarked
package io.vmgrid.rules.trace;

import org.jspecify.annotations.NullMarked;
