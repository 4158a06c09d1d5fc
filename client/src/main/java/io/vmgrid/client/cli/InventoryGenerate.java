package io.vmgrid.client.cli;

import io.vmgrid.client.api.InvalidRequestException;
import io.vmgrid.client.api.InventoryFile;
import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.Resource;
import io.vmgrid.rules.api.VmTypeCatalog;
import io.vmgrid.rules.trace.InventoryGenerator;
import io.vmgrid.rules.trace.ServerCapacityReader;
import io.vmgrid.rules.trace.TraceFiles;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vmgrid inventory generate}: writes a seeded inventory file (CSV) that {@code inventory load}
 * reads. Layout and machine-type draws are the rule engine's {@link InventoryGenerator}; capacities
 * come from the Azure trace's {@code server_vm_cores_ram.json}, converted to cores and MiB by
 * {@link TraceUnits} as {@code replay} converts the trace's requests (or in the trace's own units
 * with {@code --trace-units}), or from three synthetic machine types.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Write a seeded inventory CSV for 'inventory load'.")
final class InventoryGenerate implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--servers", required = true, description = "Number of servers.")
  int servers;

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--machines", defaultValue = "trace",
      description = "trace: the Azure packing trace's machine types (24 to 104 cores; replayed"
          + " trace requests fit them); synthetic: 40/64/96-core types (default ${DEFAULT-VALUE}).")
  String machines = "trace";

  @Option(names = "--data", defaultValue = TraceFiles.DEFAULT_DIR,
      description = "Azure trace folder (default ${DEFAULT-VALUE}).")
  Path data = Path.of(TraceFiles.DEFAULT_DIR);

  @Option(names = "--out", required = true, description = "CSV file to write.")
  Path out = Path.of("");

  @Option(names = "--trace-units",
      description = "With --machines trace: write capacities in the trace's own units instead of"
          + " cores and MiB (100 trace core units = 1 core, 1 memory unit = 256 MiB by default);"
          + " replay with --trace-units then.")
  boolean traceUnits;

  @Override
  public Integer call() throws Exception {
    if (servers < 1) {
      throw new InvalidRequestException("--servers", "--servers: must be >= 1 (was " + servers + ")");
    }
    List<MachineType> types = switch (machines) {
      case "synthetic" -> InventoryGenerator.syntheticTypes();
      case "trace" -> {
        Path capacities = data.resolve(TraceFiles.CAPACITIES);
        if (!Files.isRegularFile(capacities)) {
          throw new InvalidRequestException("--data", "--data: " + capacities
              + " not found; point --data at the Azure trace folder or use --machines synthetic");
        }
        yield ServerCapacityReader.read(capacities).machineTypes();
      }
      default -> throw new InvalidRequestException(
          "--machines", "--machines: must be trace or synthetic (was '" + machines + "')");
    };
    if (traceUnits && !machines.equals("trace")) {
      throw new InvalidRequestException("--trace-units", "--trace-units: only with --machines trace");
    }
    // synthetic machine types are in cores and MiB already
    TraceUnits units = new TraceUnits(machines.equals("trace") && !traceUnits);
    Inventory inventory = InventoryGenerator.defaults(servers, seed)
        .withMix(types.stream().map(t -> new InventoryGenerator.Weighted(t, 1.0)).toList())
        .generate(VmTypeCatalog.EMPTY, 16);
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      w.write(InventoryFile.CSV_HEADER_TOPOLOGY);
      w.newLine();
      for (int i = 0; i < inventory.size(); i++) {
        w.write(inventory.serverId(i) + "," + inventory.clusterId(inventory.cluster(i)) + ","
            + units.cores(inventory.capacity(Resource.CORES, i)) + ","
            + units.memoryMb(inventory.capacity(Resource.MEMORY, i))
            + "," + rackName(inventory.rackId(inventory.rack(i))) + ","
            + inventory.localFaultDomain(i) + "," + inventory.localUpdateDomain(i) + ","
            + inventory.machineTypes().get(inventory.machineType(i)).id());
        w.newLine();
      }
    }
    Output.print(spec.commandLine().getOut(), false, Map.of(),
        String.format(Locale.ROOT, "wrote %s: %,d servers in %d clusters, %s machine types, seed"
            + " %d; capacities in %s", out, inventory.size(), inventory.clusterCount(), machines,
            seed, machines.equals("trace") ? units.describe() : "cores and MiB"));
    return 0;
  }

  private static String rackName(String qualified) {
    int slash = qualified.lastIndexOf('/');
    return slash < 0 ? qualified : qualified.substring(slash + 1);
  }
}
