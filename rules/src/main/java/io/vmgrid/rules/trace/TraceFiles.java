package io.vmgrid.rules.trace;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the Azure packing trace lives and what its files are called. */
public final class TraceFiles {
  /** The default trace directory, relative to the repository root. */
  public static final String DEFAULT_DIR = "../shared/data/azure-packing-2020";
  /** The VM type table. */
  public static final String VM_TYPES = "vmType.csv";
  /** CoSpot's concrete capacities. */
  public static final String CAPACITIES = "server_vm_cores_ram.json";
  /** The Bernoulli request sample. */
  public static final String BERNOULLI = "vm-sample-bernoulli-0.csv";
  /** The batched request sample. */
  public static final String BATCHED = "vm-sample-batched-0.csv";

  private TraceFiles() {}

  /** Whether {@code dir} holds the four trace files. */
  public static boolean present(Path dir) {
    return Files.isRegularFile(dir.resolve(VM_TYPES))
        && Files.isRegularFile(dir.resolve(CAPACITIES))
        && Files.isRegularFile(dir.resolve(BERNOULLI))
        && Files.isRegularFile(dir.resolve(BATCHED));
  }
}
