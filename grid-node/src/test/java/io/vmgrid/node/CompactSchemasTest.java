package io.vmgrid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.CompactSerializationConfigAccessor;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.genericrecord.GenericRecord;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import com.hazelcast.test.HazelcastTestSupport;
import com.hazelcast.test.TestHazelcastInstanceFactory;
import io.vmgrid.client.wire.GridRequest;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CompactSchemasTest {

  @Test
  @SuppressWarnings("rawtypes") // Hazelcast's registration map is typed with raw Class and serializer
  void thereIsASampleOfEveryCompactTypeAMemberRegisters() {
    Config config = GridNode.applyGridConfig(new Config());
    Set<Class<?>> registered = new HashSet<>();
    CompactSerializationConfigAccessor
        .getRegistrations(config.getSerializationConfig().getCompactSerializationConfig())
        .values().forEach(t -> registered.add(t.element1));
    Set<Class<?>> sampled = new HashSet<>();
    CompactSchemas.samples().forEach(s -> sampled.add(s.getClass()));
    assertThat(registered).as("Compact types registered by a member").hasSizeGreaterThan(15);
    assertThat(sampled).as("a new Compact type needs a sample in its package's schemaSamples()")
        .containsAll(registered);
  }

  @Test
  void aGridRequestWrittenBeforeQueriesTookArgumentsStillReads() {
    TestHazelcastInstanceFactory factory = new TestHazelcastInstanceFactory(1);
    try {
      HazelcastInstance member = factory.newHazelcastInstance(
          GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig()));
      // the schema an older client wrote: every field but "arguments"
      GenericRecord old = GenericRecordBuilder.compact("vmgrid.GridRequest")
          .setString("op", "CAPACITY").setString("requestId", "r1").setString("clientId", "c1")
          .setString("vmId", "q").setString("tenantId", "t").setInt64("cores", 4)
          .setInt64("memoryMb", 8_192).setString("priority", "REGULAR")
          .setInt64("submittedAtMillis", 1).setString("availabilitySet", "")
          .setString("antiAffinityGroup", "").setString("clusterPin", "")
          .setString("targetServerId", "").build();
      IMap<String, Object> map = member.getMap("compat");
      map.put("r1", old);
      Object read = map.get("r1");
      assertThat(read).isInstanceOf(GridRequest.class);
      GridRequest r = (GridRequest) read;
      assertThat(r.arguments()).isEmpty();
      assertThat(r.op()).isEqualTo(GridRequest.Op.CAPACITY);
      assertThat(r.cores()).isEqualTo(4);
      assertThat(r.problem()).isNull();
    } finally {
      factory.shutdownAll();
    }
  }
}
