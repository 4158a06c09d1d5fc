package io.vmgrid.rules.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.rules.api.Inventory;
import io.vmgrid.rules.api.MachineType;
import io.vmgrid.rules.api.VmTypeCatalog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/** Reads the real Azure packing trace; runs only where {@code ../shared/data/azure-packing-2020} exists. */
@EnabledIf("traceAvailable")
class RealTraceTest {

  static Path traceDir() {
    String root = System.getProperty("vmgrid.root");
    Path base = root != null && !root.isBlank() ? Path.of(root) : Path.of("..");
    return base.resolve(TraceFiles.DEFAULT_DIR).toAbsolutePath().normalize();
  }

  static boolean traceAvailable() {
    return TraceFiles.present(traceDir());
  }

  @Test
  void vmTypesReadCleanly() throws IOException {
    VmTypeCatalog c = VmTypeReader.read(traceDir().resolve(TraceFiles.VM_TYPES));
    assertThat(c.fractions()).hasSize(488);
  }

  @Test
  void capacitiesGiveSixMachineTypes() throws IOException {
    ServerCapacities c = ServerCapacityReader.read(traceDir().resolve(TraceFiles.CAPACITIES));
    assertThat(c.machineTypes()).extracting(MachineType::id)
        .containsExactly("1", "2", "4", "10", "12", "16");
  }

  @Test
  void samplesReadCleanly() throws IOException {
    for (String name : List.of(TraceFiles.BERNOULLI, TraceFiles.BATCHED)) {
      List<TraceRequest> rows = VmSampleReader.read(traceDir().resolve(name));
      assertThat(rows).hasSizeGreaterThan(50_000);
      long initial = rows.stream().filter(TraceRequest::initial).count();
      assertThat(initial).isBetween(6_000L, 9_000L);
    }
  }

  @Test
  void traceMachineTypesBuildAnInventory() throws IOException {
    ServerCapacities c = ServerCapacityReader.read(traceDir().resolve(TraceFiles.CAPACITIES));
    Inventory inv = InventoryGenerator.defaults(2_000, 7)
        .withMix(c.machineTypes().stream().map(t -> new InventoryGenerator.Weighted(t, 1)).toList())
        .generate(VmTypeReader.read(traceDir().resolve(TraceFiles.VM_TYPES)), 1024);
    assertThat(inv.size()).isEqualTo(2_000);
    assertThat(inv.machineTypes()).hasSize(6);
  }
}
