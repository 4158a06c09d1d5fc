package io.vmgrid.scheduler.sim.engine;

import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.Resources;
import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.api.VmRequest;
import io.vmgrid.rules.engine.RequestClass;
import io.vmgrid.rules.engine.RequestClassifier;
import io.vmgrid.rules.engine.RequestTypeKey;
import io.vmgrid.rules.engine.RuleKey;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.rules.trace.ConstraintGenerator;
import io.vmgrid.rules.trace.InventoryGenerator;
import io.vmgrid.rules.trace.ServerCapacityReader;
import io.vmgrid.rules.trace.TraceFiles;
import io.vmgrid.scheduler.api.ClassifiedRequest;
import io.vmgrid.scheduler.api.Keys;
import io.vmgrid.scheduler.sim.RequestStream;
import io.vmgrid.scheduler.sim.TraceRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A workload made ready for engine mode: every trace record turned into a rules-module
 * {@link VmRequest} (demands in trace units, synthetic constraints from {@link ConstraintGenerator}
 * seeded with the run's seed, since the trace has none), classified by the rule module's
 * {@link RequestClassifier} for the rule set (type key and rule keys, fingerprinted with
 * {@link Keys#fingerprint}), and the recipe of the inventory the agents share.
 *
 * <p>Inventory: {@link InventoryGenerator#defaults} with {@code servers} servers (1,000-server
 * clusters), machine types from the trace's {@code server_vm_cores_ram.json} beside the trace file
 * (those with at least 1,000 cores, as in the rules module's replay test), or the generator's synthetic
 * types when that file is absent.
 */
public final class EngineWorkload {
  private static final int CLUSTER_SIZE = 1_000;

  private final List<TraceRecord> records;
  private final List<TraceRecord> initial;
  private final VmRequest[] requests;
  private final VmRequest[] initialRequests;
  private final RuleSet ruleSet;
  private final RequestClassifier classifier;
  private final InventoryGenerator inventory;
  private final String machineTypesSource;
  private final Map<Long, RequestTypeKey> typeKeys = new HashMap<>();
  private final Map<Long, RuleKey> ruleKeys = new HashMap<>();

  private EngineWorkload(List<TraceRecord> records, List<TraceRecord> initial, RuleSet ruleSet,
      InventoryGenerator inventory, String machineTypesSource, long seed) {
    this.records = List.copyOf(records);
    this.initial = List.copyOf(initial);
    this.ruleSet = ruleSet;
    this.classifier = new RequestClassifier(ruleSet);
    this.inventory = inventory;
    this.machineTypesSource = machineTypesSource;
    int clusters = (inventory.servers() + CLUSTER_SIZE - 1) / CLUSTER_SIZE;
    List<String> clusterIds = new ArrayList<>();
    for (int c = 0; c < clusters; c++) {
      clusterIds.add("c" + c);
    }
    ConstraintGenerator constraints = ConstraintGenerator.defaults(seed, clusterIds,
        inventory.mix().stream().map(w -> w.type().id()).toList(),
        List.of("accelerated-networking"));
    this.requests = toRequests(this.records, constraints);
    this.initialRequests = toRequests(this.initial, constraints);
  }

  /**
   * Prepares {@code records} (and the VMs {@code initial} already running) for engine mode.
   *
   * @param traceFile the trace file, whose directory may hold the machine capacities; null for a
   *     synthetic workload (synthetic machine types)
   */
  public static EngineWorkload create(List<TraceRecord> records, List<TraceRecord> initial,
      RuleSet ruleSet, EngineModeSettings settings, @Nullable Path traceFile,
      long seed) throws IOException {
    InventoryGenerator gen = InventoryGenerator.defaults(settings.servers(), seed);
    String source = "synthetic (gen4, gen5, gen6)";
    Path dir = traceFile == null ? null : traceFile.toAbsolutePath().getParent();
    if (dir != null && Files.isRegularFile(dir.resolve(TraceFiles.CAPACITIES))) {
      List<MachineType> types = ServerCapacityReader.read(dir.resolve(TraceFiles.CAPACITIES))
          .machineTypes().stream().filter(t -> t.capacity().cores() >= 1000).toList();
      if (!types.isEmpty()) {
        gen = gen.withMix(types.stream().map(t -> new InventoryGenerator.Weighted(t, 1.0)).toList());
        source = TraceFiles.CAPACITIES + " (types with >= 1000 cores: "
            + String.join(", ", types.stream().map(MachineType::id).toList()) + ")";
      }
    }
    return new EngineWorkload(records, initial, ruleSet, gen, source, seed);
  }

  private static VmRequest[] toRequests(List<TraceRecord> rs, ConstraintGenerator constraints) {
    VmRequest[] out = new VmRequest[rs.size()];
    for (int i = 0; i < out.length; i++) {
      TraceRecord r = rs.get(i);
      String id = Long.toString(r.id());
      String tenant = Long.toString(r.tenant());
      long cores = Math.round(r.cores());
      long ram = Math.round(r.ram());
      if (cores <= 0 && ram <= 0) {
        throw new IllegalArgumentException("request " + id + " demands neither cores nor memory");
      }
      out[i] = new VmRequest(id, null, new Resources(cores, ram, 0), tenant,
          r.priority() == 1 ? Priority.LOW : Priority.REGULAR,
          constraints.constraintsFor(id, tenant));
    }
    return out;
  }

  /**
   * The request stream: request types are the classifier's type keys. Arrival times are scaled to
   * {@code rate} and multiplied by {@code loadFactor} as in model mode.
   */
  public RequestStream stream(String description, double rate, double loadFactor) {
    Map<RequestTypeKey, Integer> first = new HashMap<>();
    return RequestStream.classified(description, records, i -> {
      RequestTypeKey k = classifier.typeKey(requests[i]);
      first.putIfAbsent(k, i);
      return k;
    }, k -> classify(requests[Objects.requireNonNull(first.get(k))]), rate, loadFactor);
  }

  private ClassifiedRequest classify(VmRequest r) {
    RequestClass c = classifier.classify(r);
    long type = Keys.fingerprint(c.type().value());
    remember(typeKeys, type, c.type());
    int n = c.rules().size();
    int[] ids = new int[n];
    long[] keys = new long[n];
    List<String> names = ruleNames();
    for (int i = 0; i < n; i++) {
      ids[i] = names.indexOf(c.rules().get(i).rule()); // the cached rules, a subset of the set's
      keys[i] = Keys.fingerprint(c.rules().get(i).toString());
      remember(ruleKeys, keys[i], c.rules().get(i));
    }
    return new ClassifiedRequest(0, type, ids, keys);
  }

  private static <K> void remember(Map<Long, K> map, long fingerprint, K key) {
    K old = map.putIfAbsent(fingerprint, key);
    if (old != null && !old.equals(key)) {
      throw new IllegalStateException("fingerprint collision: " + old + " and " + key);
    }
  }

  /** The rule names, by rule id (the rule set's order: validators first). */
  public List<String> ruleNames() {
    return ruleSet.rules().stream().map(Rule::name).toList();
  }

  /** The rule set. */
  public RuleSet ruleSet() {
    return ruleSet;
  }

  /** The inventory recipe. */
  public InventoryGenerator inventory() {
    return inventory;
  }

  /** Where the machine types came from. */
  public String machineTypesSource() {
    return machineTypesSource;
  }

  /** Number of requests in the stream. */
  int requestCount() {
    return requests.length;
  }

  /** Request {@code i} of the stream as a VM request. */
  VmRequest request(int i) {
    return requests[i];
  }

  /** Lifetime of request {@code i} on the workload's timeline, seconds (may be infinite). */
  double lifetime(int i) {
    return records.get(i).lifetime();
  }

  /** Number of VMs running before the replay. */
  int initialCount() {
    return initialRequests.length;
  }

  /** Initial VM {@code i}. */
  VmRequest initialRequest(int i) {
    return initialRequests[i];
  }

  /** Remaining lifetime of initial VM {@code i}, seconds on the workload's timeline. */
  double initialLifetime(int i) {
    return initial.get(i).lifetime();
  }

  /** The type key with this fingerprint, if a request of the stream has it. */
  @Nullable RequestTypeKey typeKey(long fingerprint) {
    return typeKeys.get(fingerprint);
  }

  /** The rule key with this fingerprint, if a request of the stream has it. */
  @Nullable RuleKey ruleKey(long fingerprint) {
    return ruleKeys.get(fingerprint);
  }
}
