package io.vmgrid.rules.api;

/**
 * One change to apply to an {@link Inventory}, whatever its origin (a local placement, a map event from
 * the placement store, a test).
 */
public sealed interface InventoryChange {

  /** The server the change concerns. */
  String serverId();

  /**
   * A VM was placed on a server.
   *
   * @param serverId the server
   * @param vm the VM and what it uses there
   */
  record Place(String serverId, HostedVm vm) implements InventoryChange {}

  /**
   * A VM was removed from a server.
   *
   * @param serverId the server
   * @param vmId the VM
   */
  record Release(String serverId, String vmId) implements InventoryChange {}

  /**
   * A server's health changed.
   *
   * @param serverId the server
   * @param health the new state
   */
  record SetHealth(String serverId, Health health) implements InventoryChange {}
}
