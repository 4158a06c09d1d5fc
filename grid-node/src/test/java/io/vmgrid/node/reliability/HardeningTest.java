package io.vmgrid.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.wire.MapNames;
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

    IMap<String, Object> requests = client.getMap(MapNames.REQUESTS);
    requests.set("evil-1", new Payload());

    HazelcastTestSupport.assertTrueEventually(() -> assertThat(requests.containsKey("evil-1")).isFalse(), 30);
    assertThat(Payload.READS.get()).as("readObject ran on the member").isEqualTo(readsBefore);
    assertThat(grid.client().allocateAndWait(Fixtures.vm("after", 1, 512)))
        .isInstanceOf(AllocationOutcome.Placed.class);
    assertThat(Fixtures.assertInvariants(member)).containsOnlyKeys("after");
  }
}
