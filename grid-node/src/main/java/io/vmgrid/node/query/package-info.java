/**
 * Read-only answers from this member's inventory mirror: explain, headroom, what-if, fragmentation
 * and consolidation plans, and the rule check of a move.
 */
@NullMarked
package io.vmgrid.node.query;

import org.jspecify.annotations.NullMarked;
