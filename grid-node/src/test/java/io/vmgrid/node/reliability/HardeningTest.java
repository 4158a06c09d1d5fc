package io.vmgrid.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.HazelcastInstance;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.wire.GridTask;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.node.recovery.Reconciler;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.TestGrid;
import org.example.gadget.Payload;
import org.junit.jupiter.api.Test;

/** A client cannot make a member run the readObject of a class outside vmgrid. */
class HardeningTest {
  @Test
  void foreignJavaSerializedValuesAreRefusedAndTheMemberKeepsWorking() {
    try (TestGrid grid = TestGrid.start(1).load(Fixtures.servers(1, 8, 8_192))) {
      check(grid);
    }
  }

  private static void check(TestGrid grid) {
    HazelcastInstance member = grid.member(0);
    HazelcastInstance client = grid.clientInstance();
    int readsBefore = Payload.READS.get();

    // as a task for the intake executor: the member must not deserialize it, let alone run it
    Future<String> ran = client.getExecutorService(GridTask.INTAKE_EXECUTOR).submit(new Payload());
    assertThatThrownBy(() -> ran.get(30, TimeUnit.SECONDS))
        .as("a foreign task is refused").isInstanceOf(ExecutionException.class);
    // as a value in a map the member reads (the reconciler reads every record)
    client.getMap(MapNames.PLACEMENTS).set("evil-1", new Payload());
    grid.node(0).reconciler().sweep(Reconciler.Mode.MERGE);

    assertThat(Payload.READS.get()).as("readObject ran on the member").isEqualTo(readsBefore);
    assertThat(grid.client().allocateAndWait(Fixtures.vm("after", 1, 512)))
        .isInstanceOf(AllocationOutcome.Placed.class);
    assertThat(member.getMap(MapNames.SERVERS).size()).isEqualTo(1);
  }
}
