package io.vmgrid.node.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.Placement;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The first record of a VM id wins; what a later one learns depends on who wrote the first. */
class RecordPlacementProcessorTest {
  private static Placement record(String requestId, long cores, String server, boolean known) {
    GridRequest r = new GridRequest(GridRequest.Op.ALLOCATE, requestId, "vm-1", "t", cores, 1024,
        "REGULAR");
    HostedVm vm = new HostedVm("vm-1", "t", cores, 1024, requestId, "REGULAR", 0);
    return known ? Placement.of(vm, server, r, "agent-1") : Placement.of(vm, server);
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource(delimiter = '|', value = {
    // case                        | existing (request, cores, known) | mine (request, cores) | status
    "no record                     | -          |   |       | r1 | 2 | RECORDED",
    "a retry of the same request   | r1         | 2 | true  | r1 | 2 | SAME_REQUEST",
    "the same id, other cores      | r1         | 2 | true  | r1 | 4 | REUSED",
    "another request's VM          | r2         | 2 | true  | r1 | 2 | TAKEN",
    "a rebuilt record, same shape  | r1         | 2 | false | r1 | 2 | SAME_REQUEST",
    "a rebuilt record, other cores | r1         | 2 | false | r1 | 4 | REUSED",
  })
  void decides(String name, String existingRequest, @Nullable Long existingCores,
      @Nullable Boolean known, String mine, long mineCores, RecordResult.Status expected) {
    Placement before = existingRequest.equals("-") ? null
        : record(existingRequest, existingCores == null ? 0 : existingCores, "s-old",
            Boolean.TRUE.equals(known));
    Map.Entry<String, Placement> entry = new AbstractMap.SimpleEntry<>("vm-1", before);
    Placement attempt = record(mine, mineCores, "s-new", true);

    RecordResult result = new RecordPlacementProcessor(List.of(attempt)).process(entry);

    assertThat(result.status()).isEqualTo(expected);
    assertThat(entry.getValue()).as("the first record stays")
        .isEqualTo(before == null ? attempt : before);
    assertThat(result.record()).isEqualTo(entry.getValue());
  }

  /**
   * The backup applies the primary's decision without reading the release marks (it is not on the
   * marks' primary): it writes what the primary wrote, and there is no backup when the primary
   * wrote nothing. The refusal itself needs a member's record store: {@code RequestIdTest}.
   */
  @Test
  void theBackupWritesWhatThePrimaryWrote() {
    Placement attempt = record("r1", 2, "s-new", true);
    RecordPlacementProcessor primary = new RecordPlacementProcessor(List.of(attempt));
    Map.Entry<String, Placement> entry = new AbstractMap.SimpleEntry<>("vm-1", null);
    assertThat(primary.process(entry).status()).isEqualTo(RecordResult.Status.RECORDED);

    var backup = primary.getBackupProcessor();
    assertThat(backup).isNotNull();
    Map.Entry<String, Placement> replica = new AbstractMap.SimpleEntry<>("vm-1", null);
    backup.process(replica);
    assertThat(replica.getValue()).isEqualTo(attempt);
    assertThat(backup.getBackupProcessor()).isSameAs(backup);
    Map.Entry<String, Placement> other = new AbstractMap.SimpleEntry<>("vm-2", null);
    assertThat(backup.process(other)).as("a VM the primary did not write").isNull();
    assertThat(other.getValue()).isNull();
  }
}
