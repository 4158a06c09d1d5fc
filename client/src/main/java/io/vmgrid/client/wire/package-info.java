/**
 * What travels between clients and members and what the grid stores: the task that carries
 * requests and results, the records in the grid's maps (servers, placements, repairs, evictions),
 * their Compact serializers, the entry processors of operator changes, and the checks both sides
 * share.
 */
@NullMarked
package io.vmgrid.client.wire;

import org.jspecify.annotations.NullMarked;
