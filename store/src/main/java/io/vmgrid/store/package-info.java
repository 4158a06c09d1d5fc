/**
 * The placement store kept in a database, behind Hazelcast's {@code MapStore}: the {@code servers},
 * {@code placements} and {@code repairs} maps load from it when a cluster starts and write every
 * change to it. {@link io.vmgrid.store.StoreSettings} says where and how; {@link
 * io.vmgrid.store.Store} opens the database and checks or creates its schema; {@link
 * io.vmgrid.store.JsonTable} is the {@code MapStore} of one map.
 */
@NullMarked
package io.vmgrid.store;

import org.jspecify.annotations.NullMarked;
