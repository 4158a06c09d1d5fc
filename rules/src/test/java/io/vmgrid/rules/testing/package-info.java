/** Test fixtures: fluent builders of inventories and requests, and a hand-driven clock. */
@NullMarked
package io.vmgrid.rules.testing;

import org.jspecify.annotations.NullMarked;
