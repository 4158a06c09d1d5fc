/** The rule engine, the request classifier and the two-level per-agent cache. */
@NullMarked
package io.vmgrid.rules.engine;

import org.jspecify.annotations.NullMarked;
