/**
 * Keeping the placement store consistent after faults: how two versions of a server merge after a
 * split, and the reconciler that repairs placements and servers against each other after merges,
 * departures and periodically, logging what it changed in {@code repairs}.
 */
@NullMarked
package io.vmgrid.node.recovery;

import org.jspecify.annotations.NullMarked;
