/**
 * This member's copy of the inventory: the server states as the {@code servers} map's events bring
 * them ({@code ServerView}), and the rule engine's array-backed inventory with its change journal
 * built from them ({@code InventoryMirror}), which agents evaluate and queries read.
 */
@NullMarked
package io.vmgrid.node.inventory;

import org.jspecify.annotations.NullMarked;
