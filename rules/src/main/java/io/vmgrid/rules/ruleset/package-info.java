/** Rule-set files, the rule registry and the built-in rules (package-private). */
@NullMarked
package io.vmgrid.rules.ruleset;

import org.jspecify.annotations.NullMarked;
