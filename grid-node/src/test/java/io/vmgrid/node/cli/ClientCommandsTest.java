package io.vmgrid.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerState;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.GridNodeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client commands, run in-process against a real member on loopback, output checked. */
class ClientCommandsTest {
  private static GridNode node;
  private static List<String> connect;

  @TempDir Path tmp;

  record Run(int exit, String out, String err) {
    JsonNode json() throws Exception {
      return new ObjectMapper().readTree(out);
    }
  }

  @BeforeAll
  static void start() {
    GridNodeConfig config =
        new GridNodeConfig("cli-" + UUID.randomUUID(), "127.0.0.1", 5851, List.of(), 2);
    node = GridNode.start(config);
    connect = List.of("--cluster-name", config.clusterName(), "--address", node.clientAddress(),
        "--timeout-ms", "20000");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static Run run(String... args) {
    List<String> argv = new ArrayList<>(List.of(args));
    // connection options go right after the (sub)command words
    int words = 0;
    while (words < argv.size() && !argv.get(words).startsWith("-")
        && List.of("allocate", "release", "status", "inventory", "load", "show", "drain")
            .contains(argv.get(words))) {
      words++;
    }
    argv.addAll(words, connect);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = VmgridMain.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        argv.toArray(new String[0]));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void inventoryLifecycleFromFileToDrain() throws Exception {
    Path csv = tmp.resolve("servers.csv");
    Files.writeString(csv, "serverId,clusterId,cores,memoryMb\ncli-a,c1,16,65536\ncli-b,c1,16,65536\n");

    Run load = run("inventory", "load", csv.toString(), "--json");
    assertThat(load.exit()).isZero();
    assertThat(load.json().get("added").asInt()).isEqualTo(2);

    Run again = run("inventory", "load", csv.toString());
    assertThat(again.out()).contains("0 servers added, 2 already present");

    Run drain = run("inventory", "drain", "cli-a");
    assertThat(drain.exit()).isZero();
    assertThat(drain.out()).contains("cli-a: HEALTHY -> MAINTENANCE");

    Run show = run("inventory", "show", "--json");
    assertThat(show.json().get("byHealth").get("MAINTENANCE").asInt()).isGreaterThanOrEqualTo(1);

    Run unknown = run("inventory", "drain", "no-such-server");
    assertThat(unknown.exit()).isEqualTo(3);
    assertThat(unknown.out()).contains("serverId: no server 'no-such-server'");
    run("inventory", "drain", "--undo", "cli-a");
  }

  @Test
  void allocateStatusRelease() throws Exception {
    node.hazelcast().<String, ServerState>getMap(MapNames.SERVERS)
        .set("cli-z", ServerState.empty("cli-z", "c9", 8, 8_192));

    Run placed = run("allocate", "--vm-id", "cli-vm", "--tenant", "t", "--cores", "2",
        "--memory-mb", "1024", "--json");
    assertThat(placed.exit()).as(placed.err()).isZero();
    assertThat(placed.json().get("outcome").asText()).isEqualTo("placed");
    String server = placed.json().get("serverId").asText();

    Run status = run("status", "cli-vm");
    assertThat(status.exit()).isZero();
    assertThat(status.out()).contains("cli-vm: placed on " + server);

    Run rejected = run("allocate", "--vm-id", "cli-huge", "--tenant", "t", "--cores", "4000",
        "--memory-mb", "1024");
    assertThat(rejected.exit()).isEqualTo(3);
    assertThat(rejected.out()).contains("rejected cli-huge: NO_CAPACITY");

    Run released = run("release", "cli-vm", "--json");
    assertThat(released.exit()).isZero();
    assertThat(released.json().get("serverId").asText()).isEqualTo(server);

    Run again = run("release", "cli-vm");
    assertThat(again.exit()).isEqualTo(3);
    assertThat(again.out()).contains("vmId: no VM 'cli-vm' is allocated");

    Run gone = run("status", "cli-vm", "--json");
    assertThat(gone.exit()).isEqualTo(3);
    assertThat(gone.json().get("state").asText()).isEqualTo("unknown");
  }

  @Test
  void badArgumentsAndFilesGiveOneClearLine() throws Exception {
    Run negative = run("allocate", "--vm-id", "x", "--tenant", "t", "--cores", "-1",
        "--memory-mb", "1");
    assertThat(negative.exit()).isEqualTo(1);
    assertThat(negative.err()).contains("vmgrid allocate: error: cores: must be > 0 (was -1)");

    Run missing = run("allocate", "--vm-id", "x");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("Missing required options");

    Path bad = tmp.resolve("bad.csv");
    Files.writeString(bad, "serverId,clusterId,cores,memoryMb\ns1,c1,many,1\ns2,c1,4\ns 3,c1,4,1\n");
    Run badFile = run("inventory", "load", bad.toString());
    assertThat(badFile.exit()).isEqualTo(1);
    assertThat(badFile.err())
        .contains("has 3 problem(s)")
        .contains("bad.csv:2: cores: 'many' is not a whole number")
        .contains("bad.csv:3: expected 4 fields")
        .contains("bad.csv:4: serverId:");

    Path json = tmp.resolve("bad.json");
    Files.writeString(json, "[{\"serverId\":\"s1\",\"clusterId\":\"c\",\"cores\":4}, 7]");
    Run badJson = run("inventory", "load", json.toString());
    assertThat(badJson.exit()).isEqualTo(1);
    assertThat(badJson.err()).contains("bad.json[0]: memoryMb: is required")
        .contains("bad.json[1]: expected an object");

    Run noFile = run("inventory", "load", tmp.resolve("absent.csv").toString());
    assertThat(noFile.exit()).isEqualTo(1);
    assertThat(noFile.err()).contains("does not exist");
  }
}
