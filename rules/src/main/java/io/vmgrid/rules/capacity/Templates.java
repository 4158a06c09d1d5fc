package io.vmgrid.rules.capacity;

import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.ValidationException;
import io.vmgrid.rules.api.VmRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Request templates for capacity queries: one per VM type of a catalog, or the most frequent shapes
 * of recent requests. A template is an ordinary {@link VmRequest}; its id names it in reports.
 */
public final class Templates {
  /** The tenant templates are made for (a tenant with no VMs). */
  public static final String TENANT = "capacity-probe";

  private Templates() {}

  /**
   * One regular-priority, unconstrained template per VM type of {@code inventory}'s catalog, sorted by
   * id, each sized by the catalog per machine type; ids are the VM type ids.
   */
  public static List<VmRequest> fromCatalog(Inventory inventory) {
    List<String> types = new ArrayList<>(inventory.vmTypes().fractions().keySet());
    types.sort(Comparator.naturalOrder());
    List<VmRequest> out = new ArrayList<>(types.size());
    for (String t : types) {
      out.add(ofType(t));
    }
    return out;
  }

  /** A regular-priority, unconstrained template of catalogued VM type {@code vmType}. */
  public static VmRequest ofType(String vmType) {
    return new VmRequest(vmType, vmType, new Resources(0, 0, 0), TENANT, Priority.REGULAR,
        Constraints.NONE);
  }

  /**
   * A regular-priority, unconstrained template of explicit demand; its id is {@code
   * <cores>c<memory>m} (plus {@code <ssd>s} if SSD is demanded).
   */
  public static VmRequest ofShape(Resources demand) {
    return new VmRequest(shapeId(demand, Priority.REGULAR), null, demand, TENANT,
        Priority.REGULAR, Constraints.NONE);
  }

  /**
   * The {@code max} most frequent shapes (explicit demand, VM type and priority; constraints and
   * tenants dropped) among {@code requests}, most frequent first (ties by first seen): the VM types
   * "in demand" for fragmentation reports and consolidation plans.
   */
  public static List<VmRequest> fromRequests(Collection<VmRequest> requests, int max) {
    record Shape(Resources demand, String vmType, Priority priority) {}
    Map<Shape, Integer> counts = new LinkedHashMap<>();
    for (VmRequest r : requests) {
      String type = r.vmType();
      counts.merge(new Shape(r.demand(), type == null ? "" : type, r.priority()), 1,
          Integer::sum);
    }
    List<Map.Entry<Shape, Integer>> sorted = new ArrayList<>(counts.entrySet());
    sorted.sort(Map.Entry.<Shape, Integer>comparingByValue().reversed());
    List<VmRequest> out = new ArrayList<>();
    for (Map.Entry<Shape, Integer> e : sorted.subList(0, Math.min(max, sorted.size()))) {
      Shape s = e.getKey();
      String id = s.vmType().isEmpty()
          ? shapeId(s.demand(), s.priority())
          : s.vmType() + (s.priority() == Priority.LOW ? "-low" : "");
      out.add(new VmRequest(id, s.vmType().isEmpty() ? null : s.vmType(), s.demand(), TENANT,
          s.priority(), Constraints.NONE));
    }
    return out;
  }

  /**
   * Checks templates for a capacity query on {@code inventory}: ids are unique, and none could fit
   * without bound (a VM type the catalog does not know, with no explicit demand).
   *
   * @throws ValidationException naming {@code templates[i]}
   */
  static void check(Inventory inventory, List<VmRequest> templates) {
    Set<String> ids = new HashSet<>();
    for (int k = 0; k < templates.size(); k++) {
      VmRequest t = templates.get(k);
      String field = "templates[" + k + "]";
      if (!ids.add(t.id())) {
        throw new ValidationException(field + ".id", "duplicate template id " + t.id());
      }
      String type = t.vmType();
      Resources d = t.demand();
      if (type != null && !inventory.vmTypes().knows(type)
          && d.cores() == 0 && d.memory() == 0 && d.ssd() == 0) {
        throw new ValidationException(field + ".vmType", "unknown VM type " + type
            + " and no explicit demand: headroom would be unbounded");
      }
    }
  }

  private static String shapeId(Resources d, Priority p) {
    String id = String.format(Locale.ROOT, "%dc%dm", d.cores(), d.memory())
        + (d.ssd() > 0 ? d.ssd() + "s" : "");
    return p == Priority.LOW ? id + "-low" : id;
  }
}
