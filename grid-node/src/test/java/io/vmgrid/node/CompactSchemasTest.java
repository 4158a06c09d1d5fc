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

  @Test
  void aServerStateWrittenBeforeServersRememberedReleasesStillReads() {
    TestHazelcastInstanceFactory factory = new TestHazelcastInstanceFactory(1);
    try {
      HazelcastInstance member = factory.newHazelcastInstance(
          GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig()));
      // the schema an older member wrote: every field but "released"
      GenericRecord old = GenericRecordBuilder.compact("vmgrid.ServerState")
          .setString("serverId", "s1").setString("clusterId", "c0").setInt64("capacityCores", 8)
          .setInt64("capacityMemoryMb", 8_192).setInt64("usedCores", 0)
          .setInt64("usedMemoryMb", 0).setString("health", "HEALTHY").setInt64("revision", 3)
          .setArrayOfGenericRecord("vms", new GenericRecord[0])
          .setArrayOfGenericRecord("evicted", new GenericRecord[0])
          .setString("rack", "r1").setInt32("faultDomain", 1).setInt32("updateDomain", 2)
          .setString("machineType", "").build();
      IMap<String, Object> map = member.getMap("compat-servers");
      map.put("s1", old);
      Object read = map.get("s1");
      assertThat(read).isInstanceOf(io.vmgrid.client.wire.ServerState.class);
      io.vmgrid.client.wire.ServerState s = (io.vmgrid.client.wire.ServerState) read;
      assertThat(s.released()).isEmpty();
      assertThat(s.revision()).isEqualTo(3);
      assertThat(s.topology().rack()).isEqualTo("r1");
    } finally {
      factory.shutdownAll();
    }
  }
}
