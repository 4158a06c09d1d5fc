package io.vmgrid.client.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.genericrecord.GenericRecord;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import io.vmgrid.client.api.Reason;
import io.vmgrid.client.fixtures.TestMembers;
import io.vmgrid.client.wire.query.ClustersAnswer;
import io.vmgrid.client.wire.query.QueryAnswer;
import io.vmgrid.client.wire.query.QueryWire;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wire types through a real member's Compact serialization: every type comes back equal, and
 * entries written by older members or clients (fewer fields, a missing health, an operation or
 * reason this version does not know) are read with the documented defaults instead of failing.
 */
class WireRoundTripTest {
  private static HazelcastInstance member;
  private static SerializationService serialization;

  @BeforeAll
  static void startMember() {
    member = TestMembers.start(TestMembers.uniqueCluster("wire"));
    serialization = TestMembers.serialization(member);
  }

  @AfterAll
  static void stopMember() {
    TestMembers.shutdown(member);
  }

  private static <T> T roundTrip(T value) {
    Data data = serialization.toData(value);
    return serialization.toObject(data);
  }

  private static <T> T read(GenericRecord written, Class<T> type) {
    Object value = serialization.toObject(serialization.toData(written));
    return type.cast(value);
  }

  @Test
  void everySchemaSampleComesBackEqual() {
    for (Object sample : WireSerialization.schemaSamples()) {
      Object back = roundTrip(sample);
      assertThat(back).as("%s", sample.getClass().getSimpleName())
          .isInstanceOf(sample.getClass());
      if (sample instanceof Record) {
        assertThat(back).isEqualTo(sample);
      }
    }
  }

  @Test
  void aFullServerStateKeepsItsVmsTopologyReleasesAndPendingPreemptions() {
    HostedVm low = new HostedVm("vm-low", "t1", 2, 2_048, "r-low", "LOW", 1_000, "as", "");
    HostedVm regular = new HostedVm("vm-reg", "t2", 4, 8_192, "r-reg", "REGULAR", 2_000, "",
        "aag");
    HostedVm stays = new HostedVm("vm-3", "t3", 1, 512, "r-3", "REGULAR", 3_000);
    ServerState s = ServerState.empty("srv-1", "c1", 16, 65_536,
            new ServerState.Topology("rack-7", 3, 5, "m-large"))
        .with(low).with(stays).releasing("vm-3", 60_000L * 70_000, true)
        .preempting(List.of("vm-low"), regular, 60_000L * 70_001).with(regular)
        .withHealth(ServerHealth.MAINTENANCE);

    ServerState back = roundTrip(s);

    assertThat(back).isEqualTo(s);
    assertThat(back.preempted()).singleElement()
        .satisfies(e -> assertThat(e.byVmId()).isEqualTo("vm-reg"));
    assertThat(back.released()).hasSize(2);
    assertThat(back.machineTypeId()).isEqualTo("m-large");
  }

  @Test
  void requestsKeepAnUnknownOperationAsNullAndEveryConstraint() {
    GridRequest unknown = new GridRequest(null, "r", "v", "t", 1, 1, "REGULAR");
    GridRequest move = new GridRequest(GridRequest.Op.MOVE, "r2", "vm-9", "", 0, 0, "", "", "",
        "", "s-4");
    GridRequest query = new GridRequest(GridRequest.Op.WHAT_IF, "q", "in-demand", "p", 0, 0,
        "REGULAR", "as", "g", "c", "", QueryWire.argumentsSample());

    assertThat(roundTrip(unknown).op()).isNull();
    assertThat(roundTrip(move)).isEqualTo(move);
    assertThat(roundTrip(query)).isEqualTo(query);
    assertThat(roundTrip(new GridTask(List.of(move, query))).requests())
        .containsExactly(move, query);
  }

  @Test
  void resultsKeepTheirOrderAndEveryReason() {
    GridRequest r = WireSerialization.sampleRequest();
    List<GridResult> all = java.util.Arrays.stream(Reason.values())
        .map(reason -> GridResult.refused(r, GridResult.Status.FAILED, reason, reason.name()))
        .toList();

    GridResults back = roundTrip(new GridResults(all));

    assertThat(back.results()).containsExactlyElementsOf(all);
    assertThat(roundTrip(new GridResults(List.of())).results()).isEmpty();
  }

  @Test
  void anOlderWritersRequestWithoutArgumentsReadsAsEmptyArguments() {
    GenericRecord old = GenericRecordBuilder.compact("vmgrid.GridRequest")
        .setString("op", "CAPACITY").setString("requestId", "r").setString("vmId", "v")
        .setString("tenantId", "t").setInt64("cores", 2).setInt64("memoryMb", 4)
        .setString("priority", "LOW").setString("availabilitySet", null)
        .setString("antiAffinityGroup", "").setString("clusterPin", "")
        .setString("targetServerId", "").build();

    GridRequest r = read(old, GridRequest.class);

    assertThat(r).isEqualTo(new GridRequest(GridRequest.Op.CAPACITY, "r", "v", "t", 2, 4, "LOW",
        "", "", "", ""));
  }

  @Test
  void anOperationOrReasonFromANewerVersionIsReadNotRefused() {
    GenericRecord request = GenericRecordBuilder.compact("vmgrid.GridRequest")
        .setString("op", "RESIZE").setString("requestId", "r").setString("vmId", "v")
        .setString("tenantId", "t").setInt64("cores", 1).setInt64("memoryMb", 1)
        .setString("priority", "REGULAR").setString("availabilitySet", "")
        .setString("antiAffinityGroup", "").setString("clusterPin", "")
        .setString("targetServerId", "").setString("arguments", "").build();
    GridResult result = read(resultRecord("FAILED", "OVERHEATED"), GridResult.class);

    GridRequest r = read(request, GridRequest.class);
    assertThat(r.op()).isNull();
    assertThat(r.problem()).startsWith("op:");
    assertThat(result.reason()).isEqualTo(Reason.UNKNOWN);
    assertThat(result.status()).isEqualTo(GridResult.Status.FAILED);
    assertThat(read(resultRecord(null, null), GridResult.class).status())
        .as("no status: nothing was carried out").isEqualTo(GridResult.Status.FAILED);
    assertThat(read(resultRecord("PLACED", ""), GridResult.class).reason()).isEqualTo(Reason.NONE);
  }

  @Test
  void aStatusFromANewerVersionIsReadAsFailedInDoubtNotAsAPlainFailure() {
    GridResult result = read(resultRecord("DEFERRED", "NONE"), GridResult.class);

    assertThat(result.status()).isEqualTo(GridResult.Status.FAILED);
    assertThat(result.reason()).as("it may have been carried out: never retried as undone")
        .isEqualTo(Reason.IN_DOUBT);
    assertThat(result.message()).contains("DEFERRED");
    GridResult known = read(resultRecord("REJECTED", "NO_CAPACITY"), GridResult.class);
    assertThat(known.status()).isEqualTo(GridResult.Status.REJECTED);
    assertThat(known.reason()).isEqualTo(Reason.NO_CAPACITY);
  }

  @Test
  void everyQueryAnswerTravelsTypedInItsResult() {
    GridResult base = GridResult.refused(WireSerialization.sampleRequest(),
        GridResult.Status.FAILED, Reason.NONE, "");
    for (QueryAnswer answer : QueryWire.answerSamples()) {
      GridResult sent = base.withAnswer(answer);

      GridResult back = roundTrip(sent);

      assertThat(back).isEqualTo(sent);
      assertThat(back.status()).isEqualTo(GridResult.Status.ANSWERED);
      assertThat(back.answer()).isEqualTo(answer).isNotSameAs(answer);
      assertThat(back.message()).as("names the type, and is no JSON an older client could read")
          .startsWith("typed answer " + answer.getClass().getSimpleName());
    }
  }

  @Test
  void anOlderMembersAnswerHasNoTypedAnswerAndAnUnknownAnswerTypeReadsAsNone() {
    GridResult old = read(resultRecord("ANSWERED", "NONE"), GridResult.class);
    GenericRecord newer = GenericRecordBuilder.compact("vmgrid.query.ForecastAnswer")
        .setInt64("days", 3).build();
    GridResult fromNewer = read(resultBuilder("ANSWERED", "NONE")
        .setGenericRecord("answer", newer).build(), GridResult.class);
    GenericRecord known = GenericRecordBuilder.compact("vmgrid.query.ClustersAnswer")
        .setArrayOfGenericRecord("clusters", new GenericRecord[0]).build();

    assertThat(old.status()).isEqualTo(GridResult.Status.ANSWERED);
    assertThat(old.answer()).as("its answer was JSON in the message").isNull();
    assertThat(fromNewer.status()).isEqualTo(GridResult.Status.ANSWERED);
    assertThat(fromNewer.answer()).isNull();
    assertThat(read(resultBuilder("ANSWERED", "NONE")
        .setGenericRecord("answer", known).build(), GridResult.class).answer())
        .isEqualTo(new ClustersAnswer(List.of()));
  }

  @Test
  void anOlderClientsQueryArgumentsAreNotReadAsTypedOnes() {
    GenericRecord old = GenericRecordBuilder.compact("vmgrid.GridRequest")
        .setString("op", "WHAT_IF").setString("requestId", "r").setString("vmId", "in-demand")
        .setString("tenantId", "t").setInt64("cores", 0).setInt64("memoryMb", 0)
        .setString("priority", "REGULAR").setString("availabilitySet", "")
        .setString("antiAffinityGroup", "").setString("clusterPin", "")
        .setString("targetServerId", "")
        .setString("arguments", "{\"changes\":[{\"kind\":\"limit-change\",\"delta\":0.1}]}")
        .build();

    GridRequest r = read(old, GridRequest.class);

    assertThat(r.op()).isEqualTo(GridRequest.Op.WHAT_IF);
    assertThat(r.arguments()).isNull();
    assertThat(r.problem()).isNull();
  }

  private static GenericRecord resultRecord(String status, String reason) {
    return resultBuilder(status, reason).build();
  }

  /** A result as a member from before typed answers wrote it. */
  private static GenericRecordBuilder resultBuilder(String status, String reason) {
    return GenericRecordBuilder.compact("vmgrid.GridResult")
        .setString("requestId", "r").setString("vmId", "v").setString("status", status)
        .setString("reason", reason).setString("message", null).setString("serverId", "")
        .setInt32("attempts", 0).setInt64("processingMicros", 0).setString("clusterId", "")
        .setString("agentId", "").setString("memberId", "");
  }

  @Test
  void anOlderPlacementRecordHasNoFingerprintAndNoAgentAndSoComparesWhatItKnows() {
    GenericRecord old = GenericRecordBuilder.compact("vmgrid.Placement")
        .setString("vmId", "vm-1").setString("requestId", "r1").setString("serverId", "s1")
        .setString("tenantId", "t").setInt64("cores", 4).setInt64("memoryMb", 4_096).build();

    Placement p = read(old, Placement.class);

    assertThat(p).isEqualTo(new Placement("vm-1", "r1", "s1", "t", 4, 4_096));
    assertThat(p.fingerprint()).isZero();
    assertThat(p.agentId()).isEmpty();
    assertThat(p.reusedBy(new GridRequest(GridRequest.Op.ALLOCATE, "r1", "vm-1", "t", 4, 4_096,
        "LOW", "", "", "c9", ""))).as("other constraints cannot be told from it").isNull();
  }

  @Test
  void anOlderServerStateHasNoReleasesNoPreemptionsAndTheDefaultRack() {
    GenericRecord vm = GenericRecordBuilder.compact("vmgrid.HostedVm")
        .setString("vmId", "vm-1").setString("tenantId", "t").setInt64("cores", 2)
        .setInt64("memoryMb", 1_024).setString("requestId", "r").setString("priority", "LOW")
        .setInt64("placedAtMillis", 5).setString("availabilitySet", "")
        .setString("antiAffinityGroup", "").build();
    GenericRecord old = GenericRecordBuilder.compact("vmgrid.ServerState")
        .setString("serverId", "s1").setString("clusterId", "c1").setInt64("capacityCores", 8)
        .setInt64("capacityMemoryMb", 8_192).setInt64("usedCores", 2)
        .setInt64("usedMemoryMb", 1_024).setString("health", null).setInt64("revision", 7)
        .setArrayOfGenericRecord("vms", new GenericRecord[] {vm})
        .setArrayOfGenericRecord("evicted", new GenericRecord[0])
        .setString("rack", "").setInt32("faultDomain", 2).setInt32("updateDomain", 1)
        .setString("machineType", null).build();

    ServerState s = read(old, ServerState.class);

    assertThat(s.released()).isEmpty();
    assertThat(s.preempted()).isEmpty();
    assertThat(s.topology()).isEqualTo(new ServerState.Topology("r0", 2, 1, ""));
    assertThat(s.health()).as("a server of unknown health takes no new VMs")
        .isEqualTo(ServerHealth.UNHEALTHY);
    assertThat(s.acceptsPlacements()).isFalse();
    assertThat(s.vms()).singleElement().satisfies(v -> assertThat(v.lowPriority()).isTrue());
    assertThat(s.revision()).isEqualTo(7);
  }

  @Test
  void aMapOnTheMemberStoresAndReturnsServersAndPlacementsAsWritten() {
    IMap<String, ServerState> servers = member.getMap(MapNames.SERVERS);
    IMap<String, Placement> placements = member.getMap(MapNames.PLACEMENTS);
    HostedVm vm = new HostedVm("vm-1", "t", 2, 2_048, "r1", "REGULAR", 42, "as", "g");
    ServerState s = ServerState.empty("s1", "c1", 8, 16_384).with(vm);
    Placement p = Placement.of(vm, "s1", new GridRequest(GridRequest.Op.ALLOCATE, "r1", "vm-1",
        "t", 2, 2_048, "REGULAR", "as", "g", "", ""), "agent-1");

    servers.put("s1", s);
    placements.put("vm-1", p);

    assertThat(servers.get("s1")).isEqualTo(s);
    assertThat(placements.get("vm-1")).isEqualTo(p);
    IMap<Object, Object> raw = member.getMap(MapNames.PLACEMENTS);
    assertThat(raw.values(new PlacementQuery("t", "s1", "vm-", "r", List.of("r1"))))
        .containsExactly(p);
    assertThat(raw.values(new PlacementQuery("other", "", "", "", List.of()))).isEmpty();
    servers.destroy();
    placements.destroy();
  }
}
