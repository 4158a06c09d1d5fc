package io.vmgrid.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.MapNames;
import io.vmgrid.client.wire.Repair;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.TestGrid;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded split schedules on a 5-member cluster with a quorum of 3, under continuous allocation load
 * on both sides: a random 2-member minority is cut off, both sides keep receiving requests, the
 * cluster heals. The minority must refuse every request ({@code NO_QUORUM}) and commit nothing; the
 * majority keeps placing; after the heal every acknowledged placement is on its server exactly once,
 * nothing is over capacity and nothing needed repair.
 */
class SplitScheduleTest {

  @Test
  void minorityRefusesMajorityPlacesAndNothingIsLostOverSeededSchedules() throws Exception {
    long base = Long.getLong("vmgrid.test.seed", System.nanoTime());
    for (int schedule = 0; schedule < 3; schedule++) {
      runSchedule(base + schedule);
    }
  }

  private static void runSchedule(long seed) throws Exception {
    System.out.println("SplitScheduleTest schedule seed=" + seed);
    Random random = new Random(seed);
    Config config = GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig(), 3);
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "3");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "3");
    try (TestGrid grid = TestGrid.start(5, 2, config).load(Fixtures.servers(12, 16, 65_536))) {
      List<HazelcastInstance> members = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        members.add(grid.member(i));
      }
      Collections.shuffle(members, random);
      List<HazelcastInstance> majority = members.subList(0, 3);
      List<HazelcastInstance> minority = members.subList(3, 5);
      Map<String, String> acknowledged = new HashMap<>();
      Map<String, Integer> outcomes = new TreeMap<>();
      int n = 0;
      int before = 5 + random.nextInt(10);
      for (int i = 0; i < before; i++, n++) { // load before the split
        record(SplitMergeTest.submit(members.get(random.nextInt(5)), "s" + seed + "-" + n,
            "vm-" + n, 1 + random.nextInt(3), "REGULAR"), "before", acknowledged, outcomes);
      }
      SplitMergeTest.split(majority, minority);
      int during = 20 + random.nextInt(20);
      for (int i = 0; i < during; i++, n++) { // both sides keep getting requests
        boolean small = random.nextInt(3) == 0;
        List<HazelcastInstance> side = small ? minority : majority;
        GridResult r = SplitMergeTest.submit(side.get(random.nextInt(side.size())),
            "s" + seed + "-" + n, "vm-" + n, 1 + random.nextInt(3), "REGULAR");
        if (small) {
          assertThat(r.status()).as("minority answer %s", r).isEqualTo(GridResult.Status.FAILED);
          assertThat(r.reason()).as(r.message()).isEqualTo(Reason.NO_QUORUM);
        }
        record(r, small ? "minority" : "majority", acknowledged, outcomes);
      }
      assertThat(outcomes.getOrDefault("majority:PLACED", 0)).as("the majority placed during the"
          + " split: %s", outcomes).isPositive();
      assertThat(outcomes.keySet()).as("the minority was asked").anyMatch(k -> k.startsWith("minority"));
      SplitMergeTest.heal(majority, minority);
      for (int i = 0; i < 5; i++, n++) { // and after the heal
        record(SplitMergeTest.submit(members.get(random.nextInt(5)), "s" + seed + "-" + n,
            "vm-" + n, 1 + random.nextInt(3), "REGULAR"), "after", acknowledged, outcomes);
      }
      HazelcastTestSupport.assertTrueEventually(() -> {
        Map<String, String> hostOf = Fixtures.assertInvariants(grid.member(0));
        assertThat(hostOf).as("acknowledged placements after the heal").isEqualTo(acknowledged);
      }, 60);
      // With a quorum nothing is evicted or doubled; the majority may restore placement records
      // of partitions whose both replicas were on the minority (PLACEMENT_RESTORED)
      IMap<String, Repair> repairs = grid.member(0).getMap(MapNames.REPAIRS);
      assertThat(repairs.values()).as("repairs with a quorum")
          .allSatisfy(rep -> assertThat(rep.action()).isEqualTo("PLACEMENT_RESTORED"));
      System.out.printf("schedule %d: minority %s, outcomes %s, acknowledged %d%n", seed,
          minority.stream().map(m -> m.getCluster().getLocalMember().getAddress().toString()).toList(),
          outcomes, acknowledged.size());
    }
  }

  private static void record(GridResult r, String phase, Map<String, String> acknowledged,
      Map<String, Integer> outcomes) {
    outcomes.merge(phase + ":" + r.status() + (r.reason() == Reason.NONE ? "" : "/" + r.reason()),
        1, Integer::sum);
    if (r.status() == GridResult.Status.PLACED) {
      acknowledged.put(r.vmId(), r.serverId());
    }
  }
}
