package io.vmgrid.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.TestGrid;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The failure text of a chaos run tells each violating VM's operations and end state. */
class ViolationStoryTest {
  @Test
  void aViolationsStoryHasItsOperationsNotesCopiesRecordAndReleaseMark() throws Exception {
    try (TestGrid grid = TestGrid.start(1).load(Fixtures.servers(4, 16, 65_536))) {
      AtomicLong clock = new AtomicLong();
      long wallAtStart = System.currentTimeMillis();
      History history = new History(clock::incrementAndGet);
      AllocationClient client = grid.client();
      history.note("cut [4] off from [0, 1, 2, 3] for 9000 ms");
      long kept = history.invokeAllocate(1, "10.0.0.2", "vm-kept", "r-vm-kept", 2, 4_096);
      AllocationOutcome placed = client.allocateAndWait(Fixtures.vm("vm-kept", 2, 4_096));
      history.completed(kept, placed, null);
      long gone = history.invokeAllocate(1, "10.0.0.2", "vm-gone", "r-vm-gone", 2, 4_096);
      history.completed(gone, client.allocateAndWait(Fixtures.vm("vm-gone", 2, 4_096)), null);
      long release = history.invokeRelease(1, "10.0.0.2", "vm-gone");
      history.completed(release, client.releaseAndWait("vm-gone"), null);

      String story = ViolationStory.of(List.of(
          new CheckReport.Violation(CheckReport.Kind.RELEASED_PRESENT, "vm-kept", "x"),
          new CheckReport.Violation(CheckReport.Kind.LOST, "vm-gone", "y")),
          history, grid.clientInstance(), wallAtStart, 5);

      String server = ((AllocationOutcome.Placed) placed).serverId();
      assertThat(story)
          .contains("--- vm-kept", "ALLOCATE #0 p1 via 10.0.0.2 at 2 -> OK at 3 server '" + server)
          .contains("nemesis 1 ms: cut [4] off")
          .containsPattern("on " + server + ": request \\S+ placed at -?\\d+ \\(history ms\\)")
          .contains("record: " + server)
          .contains("--- vm-gone", "RELEASE #2", "release mark: ")
          .doesNotContain("no story");
      assertThat(story.substring(story.indexOf("--- vm-gone"))).doesNotContain("release mark: null")
          .contains("record: null");
    }
  }
}
