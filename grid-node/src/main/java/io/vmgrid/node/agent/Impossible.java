package io.vmgrid.node.agent;

import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.VmRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What makes a request impossible on an inventory, in the user's words rather than a rule's count:
 * a pin to a cluster that does not exist, or a VM larger than every server even when empty. A
 * rejection names these first; no retry or wait will place such a request.
 */
final class Impossible {
  /** Clusters named in a message before it says "and N more". */
  static final int CLUSTERS_NAMED = 10;

  private Impossible() {}

  /** Why {@code request} can never be placed on {@code inv}, or null if it might be. */
  static @Nullable String why(Inventory inv, VmRequest request) {
    String pin = request.constraints().clusterPin();
    if (pin != null && inv.clusterIndexOf(pin) < 0) {
      List<String> known = new ArrayList<>();
      for (int c = 0; c < Math.min(CLUSTERS_NAMED, inv.clusterCount()); c++) {
        known.add(inv.clusterId(c));
      }
      String more = inv.clusterCount() > CLUSTERS_NAMED
          ? " and " + (inv.clusterCount() - CLUSTERS_NAMED) + " more" : "";
      return "clusterPin: no cluster '" + pin + "' in the inventory (clusters: "
          + String.join(", ", known) + more + ")";
    }
    long cores = 0;
    long memory = 0;
    for (int i = 0; i < inv.size(); i++) {
      cores = Math.max(cores, inv.capacity(Resource.CORES, i));
      memory = Math.max(memory, inv.capacity(Resource.MEMORY, i));
    }
    long wantCores = request.demand().cores();
    long wantMemory = request.demand().memory();
    if (request.vmType() == null && (wantCores > cores || wantMemory > memory)) {
      return String.format(Locale.ROOT, "the VM (%,d cores, %,d MiB) is larger than every server:"
          + " the most any server has is %,d cores and %,d MiB", wantCores, wantMemory, cores,
          memory);
    }
    return null;
  }
}
