package io.vmgrid.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vmgrid.client.fixtures.TestMembers;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.ServerHealth;
import io.vmgrid.client.wire.ServerState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code inventory load}, {@code inventory drain} and {@code status} against a real member: exit
 * 0 when done, 3 when the grid said no (a server differs, a server or VM is unknown), and nothing
 * drained unless every server named exists.
 */
class InventoryCommandsTest {
  private static HazelcastInstance member;
  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void startMember() {
    member = TestMembers.start(TestMembers.uniqueCluster("cli"));
  }

  @AfterAll
  static void stopMember() {
    TestMembers.shutdown(member);
  }

  private int run(Object command, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--address";
    all[args.length + 1] = TestMembers.address(member);
    all[args.length + 2] = "--cluster-name";
    all[args.length + 3] = member.getConfig().getClusterName();
    return cl.execute(all);
  }

  private static IMap<String, ServerState> servers() {
    return member.getMap(MapNames.SERVERS);
  }

  @Test
  void loadingAddsTheServersAndAgainReportsTheOnesThatDiffer() throws Exception {
    Path file = Files.writeString(tmp.resolve("inv.csv"), """
        serverId,clusterId,cores,memoryMb
        load-1,c1,16,65536
        load-2,c1,32,131072
        """);
    Path changed = Files.writeString(tmp.resolve("changed.csv"), """
        serverId,clusterId,cores,memoryMb
        load-1,c1,16,65536
        load-2,c1,48,131072
        """);

    assertThat(run(new InventoryCommands.Load(), file.toString())).as("%s", err).isZero();
    assertThat(out.toString()).contains("loaded " + file + ": 2 servers added, 0 already present");
    assertThat(run(new InventoryCommands.Load(), changed.toString())).isEqualTo(Output.NOT_DONE);
    assertThat(out.toString()).contains("0 servers added, 2 already present; 1 of them differ")
        .contains("load-2: present as c1, 32 cores");
    assertThat(servers().get("load-2").capacityCores()).isEqualTo(32);
  }

  @Test
  void drainingNothingUnlessEveryServerExistsThenUndoing() {
    servers().put("drain-1", ServerState.empty("drain-1", "c1", 8, 8_192));
    servers().put("drain-2", ServerState.empty("drain-2", "c1", 8, 8_192));

    assertThat(run(new InventoryCommands.Drain(), "drain-1", "drain-9"))
        .isEqualTo(Output.NOT_DONE);
    assertThat(out.toString()).contains("no server drain-9 in the inventory; nothing drained");
    assertThat(servers().get("drain-1").health()).isEqualTo(ServerHealth.HEALTHY);

    assertThat(run(new InventoryCommands.Drain(), "drain-1", "drain-2", "drain-1")).isZero();
    assertThat(servers().get("drain-1").health()).isEqualTo(ServerHealth.MAINTENANCE);
    assertThat(servers().get("drain-2").health()).isEqualTo(ServerHealth.MAINTENANCE);
    assertThat(out.toString()).contains("drain-1: HEALTHY -> MAINTENANCE");

    assertThat(run(new InventoryCommands.Drain(), "--undo", "drain-2")).isZero();
    assertThat(servers().get("drain-2").health()).isEqualTo(ServerHealth.HEALTHY);
    assertThat(servers().get("drain-1").health()).isEqualTo(ServerHealth.MAINTENANCE);
  }

  @Test
  void theStatusOfAnUnknownVmIsExitThree() {
    assertThat(run(new ClientCommands.Status(), "vm-nowhere", "--json"))
        .isEqualTo(Output.NOT_DONE);
    assertThat(out.toString()).contains("\"state\" : \"unknown\"").contains("vm-nowhere");
  }
}
