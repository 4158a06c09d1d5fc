/**
 * The typed answers members give to the operator queries (explain, capacity, what-if,
 * fragmentation, consolidation, clusters) and the typed arguments clients send with them: records
 * with Compact serializers, carried in {@link io.vmgrid.client.wire.GridResult#answer()} and {@link
 * io.vmgrid.client.wire.GridRequest#arguments()}.
 */
@NullMarked
package io.vmgrid.client.wire.query;

import org.jspecify.annotations.NullMarked;
