/**
 * The Java API an application uses: {@code AllocationClient} (allocate, release, move, inventory,
 * queries), the requests it validates before sending, the outcomes and answers it returns, and the
 * exceptions that name what was wrong.
 */
@NullMarked
package io.vmgrid.client.api;

import org.jspecify.annotations.NullMarked;
