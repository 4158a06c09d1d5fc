package io.vmgrid.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmgrid.client.api.CapacityTemplates;
import io.vmgrid.client.api.InvalidRequestException;
import io.vmgrid.client.api.InventoryFile;
import io.vmgrid.client.api.Priority;
import io.vmgrid.client.api.ServerSpec;
import io.vmgrid.client.api.VmRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * The client commands refuse bad arguments before they connect, naming the option the user typed
 * (not the library's field), and {@code inventory generate} writes the same file for the same seed.
 */
class CommandArgumentsTest {
  @TempDir Path tmp;

  /** What a command's {@code call} threw, after picocli parsed {@code args} into it. */
  private static Throwable refusal(Callable<Integer> command, String... args) {
    new CommandLine(command).parseArgs(args);
    Throwable[] thrown = new Throwable[1];
    assertThatThrownBy(command::call).satisfies(e -> thrown[0] = e);
    return thrown[0];
  }

  /** Runs {@code command} as picocli does; returns the exit code, output in {@code out}/{@code err}. */
  private static int run(Object command, StringWriter out, StringWriter err, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void anAllocationWithoutItsFlagsListsEveryMissingOne() {
    assertThat(refusal(new PlacementCommands.Allocate(), "--cores", "2"))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("--vm-id"))
        .hasMessage("--vm-id, --tenant, --memory-mb: are required (or -f FILE for a batch)");
    assertThat(refusal(new PlacementCommands.Allocate(), "--vm-id", "v", "--tenant", "t",
        "--cores", "2")).hasMessage("--memory-mb: is required (or -f FILE for a batch)");
  }

  @Test
  void aBadAllocationValueIsNamedByItsFlag() {
    assertThat(refusal(new PlacementCommands.Allocate(), "--vm-id", "v", "--tenant", "t",
        "--cores", "0", "--memory-mb", "1"))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("--cores"))
        .hasMessage("--cores: must be > 0 (was 0)");
    assertThat(refusal(new PlacementCommands.Allocate(), "--vm-id", "v", "--tenant", "a b",
        "--cores", "1", "--memory-mb", "1")).hasMessageStartingWith("--tenant: 'a b' may contain");
    assertThat(refusal(new PlacementCommands.Allocate(), "--vm-id", "v", "--tenant", "t",
        "--cores", "1", "--memory-mb", "1", "--cluster", "c 1"))
        .hasMessageStartingWith("--cluster: 'c 1'");
  }

  @Test
  void aFileAndRequestFlagsTogetherAreRefused() throws Exception {
    Path f = Files.writeString(tmp.resolve("r.jsonl"),
        "{\"vmId\":\"v\",\"tenant\":\"t\",\"cores\":1,\"memoryMb\":1}\n");

    assertThat(refusal(new PlacementCommands.Allocate(), "-f", f.toString(), "--priority", "LOW"))
        .hasMessage("--priority: give the VM either by flags or in the file of -f, not both");
    assertThat(refusal(new PlacementCommands.Allocate(), "-f", tmp.resolve("none").toString()))
        .hasMessageStartingWith("-f: ").hasMessageEndingWith("does not exist or is not a file");
  }

  @Test
  void aValueOfTheWrongTypeIsAUsageErrorNamingTheOption() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code = run(new PlacementCommands.Allocate(), out, err, "--cores", "two");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--cores").contains("two");
    StringWriter err2 = new StringWriter();
    assertThat(run(new PlacementCommands.Allocate(), out, err2, "--priority", "HIGH"))
        .isEqualTo(2);
    assertThat(err2.toString()).contains("--priority").contains("REGULAR, LOW");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aReleaseNamesItsVmsExactlyOneWay() throws Exception {
    assertThat(refusal(new PlacementCommands.Release()))
        .hasMessage("name the VMs to release: VM_ID..., -f FILE or --run-id RUN");
    assertThat(refusal(new PlacementCommands.Release(), "vm-1", "--run-id", "run7"))
        .hasMessage("name the VMs one way only: VM_ID..., -f FILE or --run-id RUN");
    assertThat(refusal(new PlacementCommands.Release(), "vm-1", "vm 2"))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("VM_ID"))
        .hasMessageStartingWith("VM_ID: 'vm 2' may contain only");
    Path ids = Files.writeString(tmp.resolve("ids.txt"), "vm-1\n{\"vm\": \"vm-2\"}\n");
    assertThat(refusal(new PlacementCommands.Release(), "-f", ids.toString()))
        .hasMessageContaining(ids + ":2: vmId: is required");
  }

  /** Holds the capacity commands' template options, as a command mixes them in. */
  static final class Templates {
    @Mixin CapacityCommands.TemplateOptions options;
  }

  private static CapacityCommands.TemplateOptions templates(String... args) {
    Templates t = new Templates();
    new CommandLine(t).parseArgs(args);
    return t.options;
  }

  @Test
  void aShapeComesFromTypeOrFromCoresAndMemoryAndNothingMeansTheShapesInDemand() {
    VmRequest typed = templates("--type", "8c32768m-low").toShape();
    VmRequest flagged = templates("--cores", "8", "--memory-mb", "32768", "--cluster", "c2")
        .toShape();

    assertThat(typed.vmId()).isEqualTo("8c32768m-low");
    assertThat(typed.cores()).isEqualTo(8);
    assertThat(typed.memoryMb()).isEqualTo(32_768);
    assertThat(typed.priority()).isEqualTo(Priority.LOW);
    assertThat(templates("--type", "8c32768m-low", "--priority", "REGULAR").toShape().priority())
        .as("an explicit priority wins over the suffix").isEqualTo(Priority.REGULAR);
    assertThat(flagged.vmId()).isEqualTo("8c32768m");
    assertThat(flagged.clusterPin()).isEqualTo("c2");
    assertThat(flagged.tenantId()).isEqualTo("capacity-probe");
    assertThat(templates().toTemplates()).isEqualTo(CapacityTemplates.inDemand(10));
    assertThat(templates("--in-demand", "3").toTemplates().inDemand()).isEqualTo(3);
  }

  @Test
  void aBadShapeIsNamedByTheOptionThatGaveIt() {
    assertThatThrownBy(() -> templates("--type", "8c", "--cores", "1").toTemplates())
        .hasMessage("--type: give either --type or --cores and --memory-mb, not both");
    assertThatThrownBy(() -> templates("--type", "eight").toTemplates())
        .hasMessageStartingWith("--type: must be a shape id like 8c32768m");
    assertThatThrownBy(() -> templates("--type", "200000c1m").toTemplates())
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("--type"))
        .hasMessage("--type: must be <= 100000 (was 200000)");
    assertThatThrownBy(() -> templates("--type", "99999999999999999999c1m").toTemplates())
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("--type"))
        .hasMessageStartingWith("--type: cores and memory must fit a 64-bit number");
    assertThatThrownBy(() -> templates("--memory-mb", "1024").toTemplates())
        .hasMessage("--cores: give both --cores and --memory-mb (or --type)");
    assertThatThrownBy(() -> templates("--cores", "0", "--memory-mb", "1").toTemplates())
        .hasMessage("--cores: must be > 0 (was 0)");
    assertThatThrownBy(() -> templates("--priority", "LOW").toTemplates())
        .hasMessageStartingWith("--cores: constraints and --priority need a shape");
    assertThatThrownBy(() -> templates("--in-demand", "0").toTemplates())
        .hasMessage("--in-demand: must be in [1, 100], was 0");
    assertThatThrownBy(() -> templates().toShape())
        .hasMessage("--cores: give a shape (--cores and --memory-mb, or --type)");
  }

  @Test
  void inventoryGenerateWritesTheSameLoadableFileForTheSameSeed() throws Exception {
    Path first = tmp.resolve("a.csv");
    Path again = tmp.resolve("b.csv");
    Path other = tmp.resolve("c.csv");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    assertThat(run(new InventoryGenerate(), out, err, "--servers", "60", "--seed", "7",
        "--machines", "synthetic", "--out", first.toString())).as("%s", err).isZero();
    assertThat(run(new InventoryGenerate(), out, err, "--servers", "60", "--seed", "7",
        "--machines", "synthetic", "--out", again.toString())).isZero();
    assertThat(run(new InventoryGenerate(), out, err, "--servers", "60", "--seed", "8",
        "--machines", "synthetic", "--out", other.toString())).isZero();

    assertThat(Files.readString(again)).isEqualTo(Files.readString(first));
    assertThat(Files.readString(other)).isNotEqualTo(Files.readString(first));
    List<ServerSpec> servers = InventoryFile.read(first);
    assertThat(servers).hasSize(60);
    assertThat(servers).extracting(ServerSpec::serverId).doesNotHaveDuplicates();
    assertThat(Files.readAllLines(first).get(0)).isEqualTo(InventoryFile.CSV_HEADER_TOPOLOGY);
    assertThat(out.toString()).contains("wrote " + first + ": 60 servers in")
        .contains("synthetic machine types, seed 7; capacities in cores and MiB");
  }

  @Test
  void inventoryGenerateNamesTheOptionItCannotUse() {
    Path out = tmp.resolve("x.csv");

    assertThat(refusal(new InventoryGenerate(), "--servers", "0", "--out", out.toString()))
        .hasMessage("--servers: must be >= 1 (was 0)");
    assertThat(refusal(new InventoryGenerate(), "--servers", "5", "--machines", "virtual",
        "--out", out.toString()))
        .hasMessage("--machines: must be trace or synthetic (was 'virtual')");
    assertThat(refusal(new InventoryGenerate(), "--servers", "5", "--machines", "synthetic",
        "--trace-units", "--out", out.toString()))
        .hasMessage("--trace-units: only with --machines trace");
    assertThat(refusal(new InventoryGenerate(), "--servers", "5", "--data",
        tmp.resolve("no-trace").toString(), "--out", out.toString()))
        .hasMessageStartingWith("--data: ").hasMessageContaining("--machines synthetic");
    assertThat(Files.exists(out)).as("nothing written").isFalse();
  }
}
