package io.vmgrid.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.client.test.TestHazelcastFactory;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.AllocationClient;
import io.vmgrid.client.api.AllocationOutcome;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.GridNode;
import java.time.Duration;
import org.example.gadget.Payload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client cannot make a member run the readObject of a class outside vmgrid. */
class HardeningTest {
  private final TestHazelcastFactory factory = new TestHazelcastFactory(1);

  @AfterEach
  void tearDown() {
    factory.terminateAll();
  }

  @Test
  void foreignJavaSerializedValuesAreRefusedAndTheMemberKeepsWorking() {
    HazelcastInstance member =
        factory.newHazelcastInstance(GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig()));
    GridNode node = GridNode.attach(member, 2);
    node.loadInventory(Fixtures.servers(1, 8, 8_192));
    HazelcastInstance client = factory.newHazelcastClient(Fixtures.clientConfigFor(member));
    int readsBefore = Payload.READS.get();

    IMap<String, Object> requests = client.getMap(MapNames.REQUESTS);
    requests.set("evil-1", new Payload());

    HazelcastTestSupport.assertTrueEventually(() -> assertThat(requests.containsKey("evil-1")).isFalse(), 30);
    assertThat(Payload.READS.get()).as("readObject ran on the member").isEqualTo(readsBefore);
    try (AllocationClient allocation = AllocationClient.using(client, Duration.ofSeconds(30))) {
      assertThat(allocation.allocateAndWait(Fixtures.vm("after", 1, 512)))
          .isInstanceOf(AllocationOutcome.Placed.class);
    }
    assertThat(Fixtures.assertInvariants(member)).containsOnlyKeys("after");
    node.close();
  }
}
