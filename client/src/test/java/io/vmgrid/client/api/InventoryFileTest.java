package io.vmgrid.client.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmgrid.client.wire.ServerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inventory files, CSV or JSON: every server read with its topology when given, and every problem
 * of a file reported at once with its file, line (or array index) and field, nothing half-read.
 */
class InventoryFileTest {
  @TempDir Path tmp;

  private Path file(String name, String text) throws Exception {
    Path f = tmp.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  @Test
  void aPlainCsvGivesServersWithoutTopologyAndSkipsCommentsAndBlankLines() throws Exception {
    Path f = file("servers.csv", """
        serverId,clusterId,cores,memoryMb
        # the first rack
        s1,c1,64,262144

          s2 , c2 , 32 , 131072
        """);

    assertThat(InventoryFile.read(f)).containsExactly(
        new ServerSpec("s1", "c1", 64, 262_144),
        new ServerSpec("s2", "c2", 32, 131_072));
  }

  @Test
  void aCsvWithTopologyColumnsGivesEachServerItsPlace() throws Exception {
    Path f = file("servers.csv", InventoryFile.CSV_HEADER_TOPOLOGY + "\n"
        + "s1,c1,64,262144,rack-1,2,3,gen5\n"
        + "s2,c1,64,262144,rack-2,0,0,\n");

    List<ServerSpec> specs = InventoryFile.read(f);

    assertThat(specs.get(0).topology())
        .isEqualTo(new ServerState.Topology("rack-1", 2, 3, "gen5"));
    assertThat(specs.get(1).topology()).isEqualTo(new ServerState.Topology("rack-2", 0, 0, ""));
    assertThat(specs.get(1).initialState().machineTypeId()).isEqualTo("c64-m262144");
  }

  @Test
  void aWrongHeaderIsRefusedNamingBothAcceptedOnes() throws Exception {
    Path f = file("servers.csv", "id,cluster,cores,memory\ns1,c1,1,1\n");

    assertThatThrownBy(() -> InventoryFile.read(f))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("file"))
        .hasMessage("file: " + f + ":1: header must be '" + InventoryFile.CSV_HEADER + "' or '"
            + InventoryFile.CSV_HEADER_TOPOLOGY + "'");
    Path empty = file("empty.csv", "");
    assertThatThrownBy(() -> InventoryFile.read(empty)).hasMessageContaining(":1: header must be");
  }

  @Test
  void everyBadCsvLineIsReportedWithItsLineAndField() throws Exception {
    Path f = file("servers.csv", """
        serverId,clusterId,cores,memoryMb
        s1,c1,64,262144
        s2,c1,many,262144
        s3,c1,64
        s4,c1,0,1024
        s 5,c1,8,1024
        s6,c1,8,-1
        s7,,8,1024
        s8,c1,8,lots
        """);

    assertThatThrownBy(() -> InventoryFile.read(f))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("file: " + f + " has 7 problem(s):")
        .hasMessageContaining(f + ":3: cores: 'many' is not a whole number")
        .hasMessageContaining(f + ":4: expected 4 fields (" + InventoryFile.CSV_HEADER
            + "), found 3")
        .hasMessageContaining(f + ":5: cores: must be in 1..1000000 (was 0)")
        .hasMessageContaining(f + ":6: serverId: 's 5' may contain only")
        .hasMessageContaining(f + ":7: memoryMb: must be > 0 (was -1)")
        .hasMessageContaining(f + ":8: clusterId: is required")
        .hasMessageContaining(f + ":9: memoryMb: 'lots' is not a whole number")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(f + ":2:"));
  }

  @Test
  void badTopologyValuesAreNamed() throws Exception {
    Path f = file("servers.csv", InventoryFile.CSV_HEADER_TOPOLOGY + "\n"
        + "s1,c1,8,1024,,0,0,\n"
        + "s2,c1,8,1024,r1,x,0,\n"
        + "s3,c1,8,1024,r1,0,0,type one\n"
        + "s4,c1,8,1024,r1,0,-4,\n");

    assertThatThrownBy(() -> InventoryFile.read(f))
        .hasMessageStartingWith("file: " + f + " has 4 problem(s):")
        .hasMessageContaining(f + ":2: rack: is required")
        .hasMessageContaining(f + ":3: faultDomain: 'x' is not a whole number")
        .hasMessageContaining(f + ":4: machineType: 'type one' may contain only")
        .hasMessageContaining(f + ":5: updateDomain: must be in 0..1000");
  }

  @Test
  void anOutOfRangeDomainIsReportedWithTheValueInTheFile() throws Exception {
    Path f = file("servers.csv", InventoryFile.CSV_HEADER_TOPOLOGY + "\n"
        + "s1,c1,8,1024,r1,5000,0,\n");

    assertThatThrownBy(() -> InventoryFile.read(f))
        .hasMessageContaining("faultDomain: must be in 0..1000 (was 5000)");
  }

  @Test
  void aLongListOfProblemsIsCutAfterTwentyAndCounted() throws Exception {
    StringBuilder text = new StringBuilder(InventoryFile.CSV_HEADER + "\n");
    for (int i = 0; i < 25; i++) {
      text.append("s").append(i).append(",c1,0,1\n");
    }
    Path f = file("servers.csv", text.toString());

    assertThatThrownBy(() -> InventoryFile.read(f))
        .hasMessageStartingWith("file: " + f + " has 25 problem(s):")
        .hasMessageContaining(f + ":21:")
        .hasMessageNotContaining(f + ":22:")
        .hasMessageEndingWith("... and 5 more");
  }

  @Test
  void jsonGivesTheSameServersWithOrWithoutTopology() throws Exception {
    Path f = file("servers.JSON", """
        [
          {"serverId": "s1", "clusterId": "c1", "cores": 64, "memoryMb": 262144},
          {"serverId": "s2", "clusterId": "c1", "cores": 32, "memoryMb": 131072,
           "rack": "r9", "faultDomain": 1, "updateDomain": 2, "machineType": "m32"},
          {"serverId": "s3", "clusterId": "c2", "cores": 8, "memoryMb": 1024,
           "rack": "r1", "faultDomain": 0, "updateDomain": 0}
        ]
        """);

    List<ServerSpec> specs = InventoryFile.read(f);

    assertThat(specs).extracting(ServerSpec::serverId).containsExactly("s1", "s2", "s3");
    assertThat(specs.get(0).topology()).isEqualTo(ServerState.Topology.UNSPECIFIED);
    assertThat(specs.get(1).topology()).isEqualTo(new ServerState.Topology("r9", 1, 2, "m32"));
    assertThat(specs.get(2).topology().machineType()).isEmpty();
  }

  @Test
  void everyBadJsonElementIsReportedWithItsIndex() throws Exception {
    Path f = file("servers.json", """
        [
          {"serverId": "ok", "clusterId": "c1", "cores": 1, "memoryMb": 1},
          "s2",
          {"serverId": "s3", "cores": 1},
          {"serverId": "s4", "clusterId": "c1", "cores": 1, "memoryMb": "lots"},
          {"serverId": "s5", "clusterId": "c1", "cores": 1, "memoryMb": 1, "rack": "r",
           "faultDomain": "one"},
          {"serverId": "s6", "clusterId": "c1", "cores": 0, "memoryMb": 1}
        ]
        """);

    assertThatThrownBy(() -> InventoryFile.read(f))
        .hasMessageStartingWith("file: " + f + " has 5 problem(s):")
        .hasMessageContaining(f + "[1]: expected an object")
        .hasMessageContaining(f + "[2]: clusterId, memoryMb: is required")
        .hasMessageContaining(f + "[3]: cores and memoryMb must be whole numbers")
        .hasMessageContaining(f + "[4]: faultDomain and updateDomain must be whole numbers when"
            + " rack is given")
        .hasMessageContaining(f + "[5]: cores: must be in 1..1000000 (was 0)");
  }

  @Test
  void aFractionalCoreCountIsRefusedNotTruncated() throws Exception {
    Path f = file("servers.json", """
        [{"serverId": "s1", "clusterId": "c1", "cores": 1.5, "memoryMb": 1024}]
        """);

    assertThatThrownBy(() -> InventoryFile.read(f))
        .hasMessageContaining(f + "[0]: cores and memoryMb must be whole numbers");
  }

  @Test
  void jsonThatIsNotAnArrayOrNotJsonIsRefusedWhole() throws Exception {
    Path object = file("object.json", "{\"serverId\": \"s1\"}");
    Path broken = file("broken.json", "[{\"serverId\": ");

    assertThatThrownBy(() -> InventoryFile.read(object))
        .hasMessage("file: " + object + ": expected a JSON array of servers");
    assertThatThrownBy(() -> InventoryFile.read(broken))
        .hasMessageStartingWith("file: " + broken + ": not valid JSON:");
  }

  @Test
  void aMissingFileOrADirectoryIsNamed() {
    assertThatThrownBy(() -> InventoryFile.read(tmp.resolve("absent.csv")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageEndingWith("absent.csv does not exist or is not a file");
    assertThatThrownBy(() -> InventoryFile.read(tmp))
        .hasMessageEndingWith("does not exist or is not a file");
  }

  @Test
  void aServerSpecNamesItsBadField() {
    assertThatThrownBy(() -> new ServerSpec("s", "c", ServerSpec.MAX_SERVER_CORES + 1, 1))
        .hasMessage("cores: must be in 1..1000000 (was 1000001)");
    assertThatThrownBy(() -> new ServerSpec("s", "c", 1, 1, null))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("topology"));
    assertThatThrownBy(() -> ServerSpec.of("s", "c", 1, 1, "r", 1001, 0, ""))
        .hasMessage("faultDomain: must be in 0..1000 (was 1001)");
    assertThat(ServerSpec.of("s", "c", 4, 8, "r", 1000, 1000, "").initialState())
        .isEqualTo(ServerState.empty("s", "c", 4, 8,
            new ServerState.Topology("r", 1000, 1000, "")));
  }
}
