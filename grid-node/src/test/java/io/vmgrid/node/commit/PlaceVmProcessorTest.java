package io.vmgrid.node.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.client.wire.HostedVm;
import io.vmgrid.client.wire.ServerState;
import java.util.AbstractMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A VM id already on the server counts as this commit only when it is this request with this
 * shape; another copy of the id is refused, so a record that loses never releases the winner's VM.
 */
class PlaceVmProcessorTest {
  @ParameterizedTest(name = "[{0}]")
  @CsvSource(delimiter = '|', value = {
    // case                          | request | cores | status
    "a retried commit               | r1      | 2     | ALREADY_HOSTED",
    "the same request id, 4 cores   | r1      | 4     | OTHER_COPY",
    "another request, same VM id    | r2      | 2     | OTHER_COPY",
  })
  void aVmIdOnTheServerIsThisCommitOnlyIfItIsThisRequest(String name, String request, long cores,
      CommitResult.Status expected) {
    HostedVm here = new HostedVm("vm-1", "t", 2, 1024, "r1", "REGULAR", 1);
    ServerState state = ServerState.empty("s1", "c1", 16, 65_536).with(here);
    Map.Entry<String, ServerState> entry = new AbstractMap.SimpleEntry<>("s1", state);
    // placedAtMillis differs on a retry: it does not make another request
    HostedVm vm = new HostedVm("vm-1", "t", cores, 1024, request, "REGULAR", 2);

    CommitResults r = PlaceVmProcessor.of("s1", vm).process(entry);

    assertThat(r.results().get(0).status()).isEqualTo(expected);
    assertThat(r.results().get(0).hosted()).isEqualTo(expected == CommitResult.Status.ALREADY_HOSTED);
    assertThat(entry.getValue()).as("nothing changed").isSameAs(state);
  }
}
