package io.vmgrid.rules.api;

import java.util.List;

/**
 * What a rule sees while evaluating one request: the inventory, the request and the request's demand
 * resolved per machine type.
 */
public final class EvalContext {
  private final Inventory inventory;
  private final VmRequest request;
  private final long[][] demand;
  private final boolean[] sized;

  /** Resolves the request's demand for every machine type of {@code inventory}. */
  public EvalContext(Inventory inventory, VmRequest request) {
    this.inventory = inventory;
    this.request = request;
    List<MachineType> types = inventory.machineTypes();
    Resource[] resources = Resource.values();
    this.demand = new long[resources.length][types.size()];
    this.sized = new boolean[types.size()];
    String vmType = request.vmType();
    for (int m = 0; m < types.size(); m++) {
      MachineType type = types.get(m);
      Resources d = request.demand();
      boolean ok = true;
      if (vmType != null && inventory.vmTypes().knows(vmType)) {
        VmTypeCatalog.Fraction f = inventory.vmTypes().fraction(vmType, type.id());
        if (f == null) {
          ok = false;
        } else {
          d = f.on(type.capacity());
        }
      }
      sized[m] = ok;
      for (Resource r : resources) {
        demand[r.index()][m] = d.get(r);
      }
    }
  }

  /** The inventory. */
  public Inventory inventory() {
    return inventory;
  }

  /** The request. */
  public VmRequest request() {
    return request;
  }

  /** The request's demand of {@code r} on a server of machine type index {@code machineType}. */
  public long demand(Resource r, int machineType) {
    return demand[r.index()][machineType];
  }

  /** The request's demand of {@code r} on server {@code server}. */
  public long demandOn(Resource r, int server) {
    return demand[r.index()][inventory.machineType(server)];
  }

  /** The request's demand on server {@code server}, as a value. */
  public Resources demandOn(int server) {
    int m = inventory.machineType(server);
    return new Resources(demand[0][m], demand[1][m], demand[2][m]);
  }

  /**
   * Whether the request's VM type has a size for machine type {@code machineType} (always true for
   * requests without a catalogued VM type).
   */
  public boolean sizedFor(int machineType) {
    return sized[machineType];
  }
}
