package io.vmgrid.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmgrid.client.api.InvalidRequestException;
import io.vmgrid.client.api.Priority;
import io.vmgrid.client.api.VmRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch files: every line checked, every problem reported with its line, nothing partial. */
class RequestsFileTest {
  @TempDir Path tmp;

  private Path file(String text) throws Exception {
    Path f = tmp.resolve("requests.jsonl");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void readsEveryRequestWithItsOptionalFields() throws Exception {
    Path f = file("""
        # two VMs
        {"vmId":"vm-1","tenant":"t","cores":4,"memoryMb":16384}

        {"vmId":"vm-2","tenantId":"t","cores":2,"memoryMb":4096,"requestId":"r-2",\
        "priority":"low","availabilitySet":"web","antiAffinityGroup":"g","cluster":"c1"}
        """);

    RequestsFile.Batch batch = RequestsFile.requests(f, "-f");

    assertThat(batch.requests()).hasSize(2);
    VmRequest second = batch.requests().get(1);
    assertThat(second).isEqualTo(new VmRequest("r-2", "vm-2", "t", 2, 4096, Priority.LOW, "web",
        "g", "c1"));
    assertThat(batch.chosenIds()).containsExactly("r-2");
    assertThat(batch.requests().get(0).requestId()).isNotEqualTo("r-2");
  }

  @Test
  void aFileWithProblemsIsRefusedWholeWithEveryLineNamed() throws Exception {
    Path f = file("""
        {"vmId":"ok","tenant":"t","cores":1,"memoryMb":1}
        {"vmId":"bad","tenant":"t","cores":-1,"memoryMb":1}
        not json
        {"vmId":"ok","tenant":"t","cores":1,"memoryMb":1}
        {"vmId":"x","tenant":"t","cores":1,"memoryMb":1,"colour":"red"}
        {"vmId":"y","tenant":"t","cores":"two","memoryMb":1}
        {"vmId":"z","tenant":"t","cores":1}
        """);

    assertThatThrownBy(() -> RequestsFile.requests(f, "-f"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("-f: " + f + " has 6 problem(s); nothing was sent:")
        .hasMessageContaining(f + ":2: cores: must be > 0 (was -1)")
        .hasMessageContaining(f + ":3: not a JSON object")
        .hasMessageContaining(f + ":4: vmId: 'ok' is on line 1 already")
        .hasMessageContaining(f + ":5: colour: unknown key")
        .hasMessageContaining(f + ":6: cores: must be a whole number (was \"two\")")
        .hasMessageContaining(f + ":7: memoryMb: is required");
  }

  @Test
  void releaseFilesTakeBareIdsOrObjects() throws Exception {
    Path f = file("vm-1\n{\"vmId\":\"vm-2\",\"tenant\":\"t\"}\n\n# done\n");

    assertThat(RequestsFile.vmIds(f, "-f")).containsExactly("vm-1", "vm-2");
    Path bad = file("vm 1\n");
    assertThatThrownBy(() -> RequestsFile.vmIds(bad, "-f"))
        .hasMessageContaining(bad + ":1: vmId: 'vm 1' may contain only");
    Path number = file("{\"vmId\": 7}\n");
    assertThatThrownBy(() -> RequestsFile.vmIds(number, "-f"))
        .hasMessageContaining(number + ":1: vmId: must be a string, was 7");
  }

  @Test
  void aMissingOrEmptyFileIsNamed() throws Exception {
    assertThatThrownBy(() -> RequestsFile.requests(tmp.resolve("absent.jsonl"), "-f"))
        .hasMessageEndingWith("absent.jsonl does not exist or is not a file");
    Path empty = file("# nothing\n\n");
    assertThatThrownBy(() -> RequestsFile.requests(empty, "-f"))
        .hasMessageEndingWith("has no lines to read");
  }
}
