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
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.WireSerialization;
import io.vmgrid.client.wire.query.QueryAnswer;
import io.vmgrid.client.wire.query.QueryArguments;
import io.vmgrid.client.wire.query.QueryWire;
import io.vmgrid.client.wire.query.WhatIfStep;
import java.util.HashSet;
import java.util.List;
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
      assertThat(r.arguments()).as("none: the member's defaults").isNull();
      assertThat(r.op()).isEqualTo(GridRequest.Op.CAPACITY);
      assertThat(r.cores()).isEqualTo(4);
      assertThat(r.problem()).isNull();
    } finally {
      factory.shutdownAll();
    }
  }

  @Test
  void everyQueryAnswerAndTheArgumentsComeBackFromAMemberAsWritten() {
    TestHazelcastInstanceFactory factory = new TestHazelcastInstanceFactory(2);
    try {
      HazelcastInstance writer = factory.newHazelcastInstance(
          GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig()));
      HazelcastInstance reader = factory.newHazelcastInstance(
          GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig()));
      IMap<String, Object> written = writer.getMap("answers");
      IMap<String, Object> read = reader.getMap("answers");
      GridResult base = GridResult.refused(WireSerialization.sampleRequest(),
          GridResult.Status.FAILED, Reason.NONE, "");
      List<QueryAnswer> answers = QueryWire.answerSamples();
      assertThat(answers).extracting(a -> a.getClass().getSimpleName()).containsExactly(
          "ExplainAnswer", "CapacityAnswer", "WhatIfAnswer", "FragmentationAnswer",
          "ConsolidationAnswer", "ClustersAnswer");
      for (QueryAnswer a : answers) {
        written.put(a.getClass().getSimpleName(), base.withAnswer(a));
      }
      GridRequest query = new GridRequest(GridRequest.Op.WHAT_IF, "q", "in-demand", "t", 0, 0,
          "REGULAR", "", "", "", "", new QueryArguments(5, QueryArguments.NOT_GIVEN, List.of(
              WhatIfStep.limitChange(0.05), WhatIfStep.limit(0.8, 0.9),
              WhatIfStep.drain(List.of("s1", "s2"), true), WhatIfStep.addServers("c9", "m", 3),
              WhatIfStep.ruleSet("rules: []", "r.yaml"))));
      written.put("query", query);

      for (QueryAnswer a : answers) {
        Object back = read.get(a.getClass().getSimpleName());
        assertThat(back).isInstanceOfSatisfying(GridResult.class, r -> {
          assertThat(r.status()).isEqualTo(GridResult.Status.ANSWERED);
          assertThat(r.answer()).isEqualTo(a);
        });
      }
      assertThat(read.get("query")).isEqualTo(query);
    } finally {
      factory.shutdownAll();
    }
  }

  @Test
  void aGridResultWrittenBeforeAnswersWereTypedStillReads() {
    TestHazelcastInstanceFactory factory = new TestHazelcastInstanceFactory(1);
    try {
      HazelcastInstance member = factory.newHazelcastInstance(
          GridNode.applyGridConfig(HazelcastTestSupport.smallInstanceConfig()));
      // the schema an older member wrote: every field but "answer", the answer JSON in "message"
      GenericRecord old = GenericRecordBuilder.compact("vmgrid.GridResult")
          .setString("requestId", "r1").setString("vmId", "q").setString("status", "ANSWERED")
          .setString("reason", "NONE").setString("message", "{\"clusters\":[]}")
          .setString("serverId", "").setInt32("attempts", 0).setInt64("processingMicros", 12)
          .setString("clusterId", "").setString("agentId", "").setString("memberId", "").build();
      IMap<String, Object> map = member.getMap("compat-results");
      map.put("r1", old);
      Object read = map.get("r1");
      assertThat(read).isInstanceOf(GridResult.class);
      GridResult r = (GridResult) read;
      assertThat(r.status()).isEqualTo(GridResult.Status.ANSWERED);
      assertThat(r.answer()).as("no typed answer: the client says it cannot read it").isNull();
      assertThat(r.message()).isEqualTo("{\"clusters\":[]}");
      assertThat(r.processingMicros()).isEqualTo(12);
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
