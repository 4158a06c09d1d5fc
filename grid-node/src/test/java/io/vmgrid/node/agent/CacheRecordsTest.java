package io.vmgrid.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.client.test.TestHazelcastFactory;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.PartitionAwareKey;
import com.hazelcast.test.HazelcastTestSupport;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.node.Fixtures;
import io.vmgrid.node.GridNode;
import io.vmgrid.node.inventory.Mirrors;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.rules.engine.RequestClassifier;
import io.vmgrid.rules.ruleset.RuleSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CacheRecords} against a real member's {@code agent-cache} map: records that moved with an
 * agent's partition survive until a cache has been warmed from them.
 */
class CacheRecordsTest {
  private static final String AGENT = "agent-p0.7";
  private final RuleSet ruleSet = RuleSet.defaults();
  private TestHazelcastFactory factory;
  private IMap<Object, GridRequest> map;

  @BeforeEach
  void start() {
    factory = new TestHazelcastFactory(1);
    HazelcastInstance hz = factory.newHazelcastInstance(
        GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig()));
    map = hz.getMap(AgentHost.AGENT_CACHE);
  }

  @AfterEach
  void stop() {
    factory.terminateAll();
  }

  @Test
  void movedRecordsOutliveASyncUntilACacheIsWarmedFromThemAndGoOnlyWhenTheirTypeLeavesIt() {
    // four request types, as the agent's previous member wrote them
    List<GridRequest> moved = new ArrayList<>();
    RequestClassifier classifier = new RequestClassifier(ruleSet);
    for (int i = 0; i < 4; i++) {
      GridRequest r = Fixtures.allocation("r-" + i, "vm-" + i, 1L << i, 1_024L << i);
      moved.add(r);
      String type = classifier.typeKey(Mirrors.request(r)).value();
      map.put(new PartitionAwareKey<>(type, AGENT), r);
    }
    CacheRecords records = new CacheRecords(AGENT, ruleSet, map, NodeClock.system(),
        NodeTimings.defaults());
    records.found(moved);
    List<String> announced = new ArrayList<>();
    records.awaitMoved(() -> true, announced::add);
    assertThat(records.size()).as("types adopted").isEqualTo(4);
    assertThat(announced).hasSize(4);
    assertThat(records.rewarmRequested()).isTrue();

    // the agent's (cold) cache holds none of them yet: a sync must not take them for evicted
    records.sync(Set.of());
    assertThat(records.size()).as("exemplars kept before any warm-up").isEqualTo(4);
    HazelcastTestSupport.sleepMillis(200); // a delete, had one been sent, lands well within this
    assertThat(map.size()).as("records kept before any warm-up").isEqualTo(4);

    // a cache warmed from them then holds only the first two: the other two left it
    List<GridRequest> warmed = records.exemplars();
    assertThat(warmed).hasSize(4);
    Set<String> kept = Set.of(classifier.typeKey(Mirrors.request(moved.get(0))).value(),
        classifier.typeKey(Mirrors.request(moved.get(1))).value());
    records.sync(kept);
    assertThat(records.size()).as("exemplars of evicted types gone").isEqualTo(2);
    HazelcastTestSupport.assertTrueEventually(
        () -> assertThat(map.size()).as("records of evicted types deleted").isEqualTo(2), 10);
  }

  /**
   * The member the partition left writes the records it had not flushed when it notices the move,
   * which can be after the new agent read the partition (a scale-out run re-warmed 1 of 29 types):
   * the records read again later are adopted and ask for a re-warm.
   */
  @Test
  void recordsWrittenAfterTheFirstReadAreAdoptedFromTheSecond() {
    RequestClassifier classifier = new RequestClassifier(ruleSet);
    List<GridRequest> all = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      all.add(Fixtures.allocation("r-" + i, "vm-" + i, 1L << i, 1_024L << i));
    }
    CacheRecords records = new CacheRecords(AGENT, ruleSet, map, NodeClock.system(),
        NodeTimings.defaults());
    records.found(all.subList(0, 1)); // the first read: the old owner had flushed one record
    List<String> announced = new ArrayList<>();
    records.awaitMoved(() -> true, announced::add);
    assertThat(records.size()).isEqualTo(1);
    List<GridRequest> first = records.exemplars(); // the agent warmed from it
    assertThat(first).hasSize(1);
    assertThat(records.takeRewarmRequest()).isTrue();
    assertThat(records.rewarmRequested()).isFalse();

    records.foundLater(all); // the second read: the old owner's last sync has landed

    assertThat(records.size()).as("types adopted from both reads").isEqualTo(5);
    assertThat(announced).hasSize(6); // the first type again, and four new
    assertThat(records.rewarmRequested()).as("a re-warm for the new types").isTrue();
    records.sync(Set.of(classifier.typeKey(Mirrors.request(all.get(0))).value()));
    assertThat(records.size()).as("new types kept until a cache is warmed from them").isEqualTo(5);
  }
}
