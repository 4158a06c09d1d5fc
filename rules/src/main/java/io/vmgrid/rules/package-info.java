/**
 * The allocation domain as plain Java: inventory, requests, rules and the rule engine. This module never
 * imports Hazelcast; the build's import control enforces it.
 */
@NullMarked
package io.vmgrid.rules;

import org.jspecify.annotations.NullMarked;
