package io.vmgrid.client.api;

import java.util.List;

/**
 * What loading an inventory did: servers added, servers that were there already as the file
 * describes them, and servers that were there already but differ from the file (left as they are).
 *
 * @param added servers added
 * @param unchanged servers present already, as described
 * @param differing servers present already but described otherwise, each as {@code id: present
 *     ..., file ...}; none of them was changed
 */
public record InventoryLoad(int added, int unchanged, List<String> differing) {

  /** Copies the list. */
  public InventoryLoad {
    differing = List.copyOf(differing);
  }
}
