package io.vmgrid.rules.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vmgrid.rules.api.Priority;
import io.vmgrid.rules.api.VmTypeCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trace readers on small hand-made files: good input parses, every bad value is reported. */
class ReaderErrorTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void vmTypesParse() throws IOException {
    Path f = write("vmType.csv", """
        id,vmTypeId,machineId,core,memory,hdd,ssd,nic
        1,0,0,0.5,0.25,,0.1,0.01
        2,0,1,0.25,0.125,0.3,0.05,0.01
        """);
    VmTypeCatalog c = VmTypeReader.read(f);
    assertThat(c.fraction("0", "1")).isEqualTo(new VmTypeCatalog.Fraction(0.25, 0.125, 0.05));
    assertThat(c.fraction("0", "7")).isNull();
  }

  @Test
  void vmTypeProblemsAllReportedWithLineAndField() throws IOException {
    Path f = write("vmType.csv", """
        id,vmTypeId,machineId,core,memory,hdd,ssd,nic
        1,0,0,0.5,0.25,,0.1,0.01
        2,0,0,0.5,0.25,,0.1,0.01
        3,x,0,1.5,,,0.1,0.01
        4,1,0,0.5
        5,-2,0,0.5,0.2,,0.1,abc
        """);
    TraceFormatException e = assertThrows(TraceFormatException.class, () -> VmTypeReader.read(f));
    assertThat(e.problems()).extracting(TraceProblem::toString).containsExactly(
        "vmType.csv:3: machineId: vmTypeId 0 on machineId 0 is defined twice",
        "vmType.csv:4: vmTypeId: not an integer: 'x'",
        "vmType.csv:4: core: must be a fraction in [0, 1], got 1.5",
        "vmType.csv:4: memory: is empty",
        "vmType.csv:5: line: has 4 fields, expected 8",
        "vmType.csv:6: vmTypeId: must be >= 0, got -2",
        "vmType.csv:6: nic: not a number: 'abc'");
  }

  @Test
  void wrongHeaderIsReported() throws IOException {
    Path f = write("vmType.csv", "a,b\n1,2\n");
    TraceFormatException e = assertThrows(TraceFormatException.class, () -> VmTypeReader.read(f));
    assertThat(e.problems().get(0).line()).isEqualTo(1);
    assertThat(e.problems().get(0).field()).isEqualTo("header");
  }

  @Test
  void samplesParse() throws IOException {
    Path f = write("vm-sample-x.csv", """
        vmId,tenantId,cores,ram,vmTypeId,starttime,endtime
        10,3,30.0,7.0,0,-1497.0,inf
        11,3,2.0,1.0,1,0.5,1.25
        """);
    List<TraceRequest> rows = VmSampleReader.read(f);
    assertThat(rows).containsExactly(
        new TraceRequest("10", "3", 30, 7, Priority.REGULAR, -1497.0, Double.POSITIVE_INFINITY),
        new TraceRequest("11", "3", 2, 1, Priority.LOW, 0.5, 1.25));
    assertThat(rows.get(0).initial()).isTrue();
    assertThat(rows.get(1).toRequest(io.vmgrid.rules.api.Constraints.NONE).priority())
        .isEqualTo(Priority.LOW);
  }

  @Test
  void sampleProblemsAllReported() throws IOException {
    Path f = write("vm-sample-bad.csv", """
        vmId,tenantId,cores,ram,vmTypeId,starttime,endtime
        10,3,30.0,7.0,0,-1497.0,inf
        10,3,30.0,7.0,0,-1497.0,inf
        12,3,1.5,7.0,2,1.0,0.5
        13,t,4.0,-1,0,x,inf
        """);
    TraceFormatException e = assertThrows(TraceFormatException.class, () -> VmSampleReader.read(f));
    assertThat(e.problems()).extracting(TraceProblem::toString).containsExactly(
        "vm-sample-bad.csv:3: vmId: duplicate vmId 10",
        "vm-sample-bad.csv:4: cores: must be a non-negative whole number, got 1.5",
        "vm-sample-bad.csv:4: vmTypeId: expected 0 or 1 (priority), got '2'",
        "vm-sample-bad.csv:4: endtime: ends (0.5) before it starts (1.0)",
        "vm-sample-bad.csv:5: tenantId: not an integer: 't'",
        "vm-sample-bad.csv:5: ram: must be a non-negative whole number, got -1",
        "vm-sample-bad.csv:5: starttime: not a number: 'x'");
    assertThat(e.getMessage()).startsWith("7 problem(s), first: vm-sample-bad.csv:3: vmId");
  }

  @Test
  void capacitiesParse() throws IOException {
    Path f = write("caps.json", """
        [
          {"vm_cores[1]": 100.0, "vm_cores[2]": 200.0},
          {"server_cores[1]": 2400.0, "server_cores[4]": 16.0},
          {"vm_ram[1]": 8.0},
          {"server_ram[1]": 768.0}
        ]
        """);
    ServerCapacities c = ServerCapacityReader.read(f);
    assertThat(c.serverCores()).containsEntry(1, 2400L).containsEntry(4, 16L);
    assertThat(c.machineTypes()).hasSize(1);
    assertThat(c.machineTypes().get(0).id()).isEqualTo("1");
    assertThat(c.machineTypes().get(0).capacity().memory()).isEqualTo(768);
  }

  @Test
  void capacityProblemsAllReportedWithLines() throws IOException {
    Path f = write("caps.json", """
        [
          {"vm_cores[1]": 100.0,
           "vm_cores[1]": 100.0},
          {"server_cores[x]": 2400.0},
          {"server_ram[1]": "big",
           "server_ram[2]": -5}
        ]
        """);
    TraceFormatException e =
        assertThrows(TraceFormatException.class, () -> ServerCapacityReader.read(f));
    assertThat(e.problems()).extracting(TraceProblem::toString).containsExactly(
        "caps.json:3: vm_cores[1]: given twice",
        "caps.json:4: server_cores[x]: unknown key (expected vm_cores[i], server_cores[m], vm_ram[i]"
            + " or server_ram[m])",
        "caps.json:5: server_ram[1]: expected a number, got big",
        "caps.json:6: server_ram[2]: must be a non-negative whole number, got -5");
  }
}
