package io.vmgrid.bench.e2e;

import io.vmgrid.client.api.Priority;
import io.vmgrid.client.api.ServerSpec;
import io.vmgrid.client.api.VmRequest;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.VmTypeCatalog;
import io.vmgrid.rules.trace.InventoryGenerator;
import io.vmgrid.rules.trace.ServerCapacityReader;
import io.vmgrid.rules.trace.TraceFiles;
import io.vmgrid.rules.trace.TraceRequest;
import io.vmgrid.rules.trace.VmSampleReader;
import io.vmgrid.scheduler.sim.SyntheticSettings;
import io.vmgrid.scheduler.sim.SyntheticWorkload;
import io.vmgrid.scheduler.sim.TraceRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The request stream and inventory of one benchmark: the same for every policy.
 *
 * <p>From an Azure packing sample: the rows in arrival order (VMs running at the trace start first,
 * then by start time), the first {@code limit} measured, the next {@code warmup} for the warm-up
 * (other VMs, from a later part of the trace, so that warming up does not put the measured
 * requests' own types into the caches); demands in the trace's units; servers generated with the
 * trace's machine capacities ({@code server_vm_cores_ram.json} beside the sample), seeded, as in
 * {@code bench grid}. Synthetic fallback: the simulator's seeded {@link SyntheticWorkload} and the
 * generator's synthetic machine types. Requests only allocate; nothing is released.
 *
 * @param description what the stream is, for the report
 * @param synthetic whether the synthetic fallback was used
 * @param requests the measured allocation requests in issue order
 * @param warmup the warm-up requests in issue order
 * @param servers the inventory to load
 */
record E2eWorkload(String description, boolean synthetic, List<VmRequest> requests,
    List<VmRequest> warmup, List<ServerSpec> servers) {

  /** The {@code --trace} value that asks for the synthetic workload. */
  static final String SYNTHETIC = "synthetic";

  E2eWorkload {
    requests = List.copyOf(requests);
    warmup = List.copyOf(warmup);
    servers = List.copyOf(servers);
  }

  /**
   * Loads {@code trace} (or the synthetic workload if {@code trace} is {@value #SYNTHETIC} or its
   * folder does not exist).
   */
  static E2eWorkload load(String trace, Path tracePath, int servers, int limit, int warmup,
      long seed) throws IOException {
    Path dir = tracePath.toAbsolutePath().getParent();
    if (trace.equals(SYNTHETIC) || dir == null || !Files.isDirectory(dir)) {
      String why = trace.equals(SYNTHETIC) ? "--trace synthetic"
          : "trace folder " + dir + " not found; synthetic fallback";
      List<TraceRecord> rows =
          new SyntheticWorkload(SyntheticSettings.DEFAULTS.withRequests(limit + warmup), seed).read();
      List<VmRequest> all = new ArrayList<>(rows.size());
      for (TraceRecord r : rows) {
        all.add(request(all.size(), "vm-" + r.id(), "t-" + r.tenant(),
            Math.round(r.cores()), Math.round(r.ram()), r.priority() == 1));
      }
      return new E2eWorkload("synthetic (" + why + "), seed " + seed, true,
          all.subList(0, Math.min(limit, all.size())),
          warmupOf(all.subList(Math.min(limit, all.size()), all.size()), warmup),
          inventory(InventoryGenerator.defaults(servers, seed)));
    }
    if (!Files.isRegularFile(tracePath)) {
      throw new IllegalArgumentException("--trace: " + tracePath + " is not a file");
    }
    Path capacities = dir.resolve(TraceFiles.CAPACITIES);
    if (!Files.isRegularFile(capacities)) {
      throw new IllegalArgumentException("--trace: " + capacities
          + " (machine capacities) is missing beside the sample");
    }
    List<TraceRequest> rows = new ArrayList<>(VmSampleReader.read(tracePath));
    rows.sort(Comparator.comparingDouble(r -> r.initial() ? Double.NEGATIVE_INFINITY : r.start()));
    List<VmRequest> all = new ArrayList<>(Math.min(rows.size(), limit + warmup));
    for (TraceRequest r : rows.subList(0, Math.min(rows.size(), limit + warmup))) {
      all.add(request(all.size(), "vm-" + r.vmId(), "t-" + r.tenantId(), r.cores(),
          r.memory(), r.priority() == io.vmgrid.rules.api.Priority.LOW));
    }
    List<VmRequest> requests = all.subList(0, Math.min(limit, all.size()));
    List<VmRequest> later = all.subList(requests.size(), all.size());
    List<MachineType> types = ServerCapacityReader.read(capacities).machineTypes();
    InventoryGenerator generator = InventoryGenerator.defaults(servers, seed)
        .withMix(types.stream().map(t -> new InventoryGenerator.Weighted(t, 1.0)).toList());
    return new E2eWorkload(tracePath.getFileName() + " (first " + requests.size()
        + " arrivals; warm-up from the next " + later.size() + "; machine types of "
        + TraceFiles.CAPACITIES + "), inventory seed " + seed,
        false, requests, warmupOf(later, warmup), inventory(generator));
  }

  /**
   * {@code n} warm-up requests from {@code later} (the trace after the measured part), cycled if it
   * is shorter, under ids of their own ({@code warm-<i>-<vmId>}), so that warming up places nothing
   * the measured stream will place.
   */
  private static List<VmRequest> warmupOf(List<VmRequest> later, int n) {
    List<VmRequest> out = new ArrayList<>(n);
    for (int i = 0; i < n && !later.isEmpty(); i++) {
      VmRequest r = later.get(i % later.size());
      out.add(VmRequest.builder().requestId("warm-" + i).vmId("warm-" + i + "-" + r.vmId())
          .tenantId(r.tenantId()).cores(r.cores()).memoryMb(r.memoryMb()).priority(r.priority())
          .build());
    }
    return out;
  }

  private static VmRequest request(int index, String vmId, String tenant, long cores, long memory,
      boolean low) {
    return VmRequest.builder().requestId("e2e-" + index).vmId(vmId).tenantId(tenant)
        .cores((int) Math.max(1, cores)).memoryMb(Math.max(1, memory))
        .priority(low ? Priority.LOW : Priority.REGULAR).build();
  }

  /** The generated servers as specs, empty and healthy (as {@code bench grid} loads them). */
  static List<ServerSpec> inventory(InventoryGenerator generator) {
    Inventory inv = generator.generate(VmTypeCatalog.EMPTY, 16);
    List<ServerSpec> out = new ArrayList<>(inv.size());
    for (int i = 0; i < inv.size(); i++) {
      String rack = inv.rackId(inv.rack(i));
      rack = rack.substring(rack.lastIndexOf('/') + 1);
      out.add(new ServerSpec(inv.serverId(i), inv.clusterId(inv.cluster(i)),
          inv.capacity(Resource.CORES, i), inv.capacity(Resource.MEMORY, i),
          new ServerState.Topology(rack, inv.localFaultDomain(i), inv.localUpdateDomain(i),
              inv.machineTypes().get(inv.machineType(i)).id())));
    }
    return out;
  }
}
