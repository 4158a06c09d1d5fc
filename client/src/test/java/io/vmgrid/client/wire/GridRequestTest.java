package io.vmgrid.client.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.client.wire.GridRequest.Op;
import java.util.EnumSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a member checks in a request it received: which fields each operation needs, with the
 * first problem named by its field, and nothing thrown for a malformed request.
 */
class GridRequestTest {

  private static GridRequest request(@Nullable Op op, String vmId, String tenant, long cores,
      long memoryMb, String priority) {
    return new GridRequest(op, "r-1", vmId, tenant, cores, memoryMb, priority, "", "", "", "");
  }

  private static GridRequest allocation(long cores, long memoryMb) {
    return request(Op.ALLOCATE, "vm-1", "t", cores, memoryMb, "REGULAR");
  }

  @Test
  void aCompleteAllocationHasNoProblem() {
    assertThat(allocation(4, 4_096).problem()).isNull();
    assertThat(new GridRequest(Op.ALLOCATE, "r", "v", "t", 1, 1, "LOW", "as", "g", "c", "")
        .problem()).isNull();
  }

  @Test
  void anOperationThisVersionDoesNotKnowIsNamedWithTheKnownOnes() {
    String problem = request(null, "vm-1", "t", 1, 1, "REGULAR").problem();

    assertThat(problem).startsWith("op: must be ALLOCATE, RELEASE,");
    for (Op op : Op.values()) {
      assertThat(problem).contains(op.name());
    }
  }

  @Test
  void theFieldsAreCheckedInOrderAndTheFirstBadOneIsNamed() {
    assertThat(new GridRequest(Op.ALLOCATE, "", "", "", 0, 0, "").problem())
        .isEqualTo("requestId: is required");
    assertThat(request(Op.ALLOCATE, "", "", 0, 0, "").problem()).isEqualTo("vmId: is required");
    assertThat(request(Op.ALLOCATE, "vm-1", "", 0, 0, "").problem())
        .isEqualTo("tenantId: is required");
    assertThat(allocation(0, 0).problem()).isEqualTo("cores: must be > 0 (was 0)");
    assertThat(allocation(1, -1).problem()).isEqualTo("memoryMb: must be > 0 (was -1)");
    assertThat(request(Op.ALLOCATE, "vm-1", "t", 1, 1, "").problem())
        .isEqualTo("priority: is required");
    assertThat(request(Op.ALLOCATE, "vm-1", "t", 1, 1, "regular").problem())
        .as("the wire spells priorities in capitals")
        .isEqualTo("priority: must be REGULAR or LOW (was 'regular')");
    assertThat(new GridRequest(Op.ALLOCATE, "r", "v", "t", 1, 1, "LOW", "a b", "", "", "")
        .problem()).startsWith("availabilitySet:");
    assertThat(new GridRequest(Op.ALLOCATE, "r", "v", "t", 1, 1, "LOW", "", "a b", "", "")
        .problem()).startsWith("antiAffinityGroup:");
    assertThat(new GridRequest(Op.ALLOCATE, "r", "v", "t", 1, 1, "LOW", "", "", "a b", "")
        .problem()).startsWith("clusterPin:");
  }

  @Test
  void aReleaseNeedsOnlyItsIds() {
    assertThat(new GridRequest(Op.RELEASE, "r", "vm-1", "", 0, 0, "").problem()).isNull();
    assertThat(new GridRequest(Op.RELEASE, "r", "", "", 0, 0, "").problem())
        .isEqualTo("vmId: is required");
    assertThat(new GridRequest(Op.CLUSTERS, "r", "clusters", "", 0, 0, "").problem()).isNull();
  }

  @Test
  void aMoveNeedsItsTargetAndNothingOfAShape() {
    GridRequest move = new GridRequest(Op.MOVE, "r", "vm-1", "", 0, 0, "", "", "", "", "s-2");
    GridRequest noTarget = new GridRequest(Op.MOVE, "r", "vm-1", "", 0, 0, "", "", "", "", "");
    GridRequest badVm = new GridRequest(Op.MOVE, "r", "vm 1", "", 0, 0, "", "", "", "", "s");

    assertThat(move.problem()).isNull();
    assertThat(noTarget.problem()).isEqualTo("targetServerId: is required");
    assertThat(badVm.problem()).startsWith("vmId:");
  }

  @ParameterizedTest
  @EnumSource(value = Op.class, names = {"CAPACITY", "WHAT_IF", "FRAGMENTATION", "CONSOLIDATE"})
  void capacityQueriesMayLeaveTheShapeOutToAskAboutTheShapesInDemand(Op op) {
    assertThat(request(op, "in-demand", "probe", 0, 0, "REGULAR").problem()).isNull();
    assertThat(request(op, "in-demand", "probe", 2, 0, "REGULAR").problem())
        .as("half a shape is no shape").isEqualTo("memoryMb: must be > 0 (was 0)");
    assertThat(request(op, "in-demand", "probe", 0, 0, "").problem())
        .isEqualTo("priority: is required");
  }

  @ParameterizedTest
  @EnumSource(value = Op.class, names = {"ALLOCATE", "EXPLAIN"})
  void allocationsAndExplanationsAlwaysNeedAShape(Op op) {
    assertThat(request(op, "vm-1", "t", 0, 0, "REGULAR").problem())
        .isEqualTo("cores: must be > 0 (was 0)");
  }

  @Test
  void queriesAreTheOperationsThatOnlyRead() {
    Set<Op> queries = EnumSet.noneOf(Op.class);
    Set<Op> inDemand = EnumSet.noneOf(Op.class);
    for (Op op : Op.values()) {
      if (op.isQuery()) {
        queries.add(op);
      }
      if (op.acceptsShapesInDemand()) {
        inDemand.add(op);
      }
    }

    assertThat(queries).containsExactlyInAnyOrder(Op.EXPLAIN, Op.CAPACITY, Op.CONSOLIDATE,
        Op.WHAT_IF, Op.FRAGMENTATION, Op.CLUSTERS);
    assertThat(queries).as("those that change something run on the intake executor")
        .doesNotContain(Op.ALLOCATE, Op.RELEASE, Op.MOVE);
    assertThat(queries).containsAll(inDemand);
  }

  @Test
  void operationNamesParseExactlyAndUnknownOnesAreNull() {
    for (Op op : Op.values()) {
      assertThat(Op.parse(op.name())).isEqualTo(op);
    }
    assertThat(Op.parse("allocate")).isNull();
    assertThat(Op.parse("SHRINK")).isNull();
    assertThat(Op.parse(null)).isNull();
  }

  @Test
  void theFingerprintIgnoresTheOperationAndTheMoveTargetButSeesEveryConstraint() {
    GridRequest base = new GridRequest(Op.ALLOCATE, "r", "v", "t", 2, 8, "LOW", "as", "g", "c", "");

    assertThat(new GridRequest(Op.EXPLAIN, "q", "w", "t", 2, 8, "LOW", "as", "g", "c", "s9",
        io.vmgrid.client.wire.query.QueryWire.argumentsSample()).fingerprint())
        .isEqualTo(base.fingerprint());
    for (GridRequest other : new GridRequest[] {
        new GridRequest(Op.ALLOCATE, "r", "v", "u", 2, 8, "LOW", "as", "g", "c", ""),
        new GridRequest(Op.ALLOCATE, "r", "v", "t", 2, 9, "LOW", "as", "g", "c", ""),
        new GridRequest(Op.ALLOCATE, "r", "v", "t", 2, 8, "REGULAR", "as", "g", "c", ""),
        new GridRequest(Op.ALLOCATE, "r", "v", "t", 2, 8, "LOW", "", "g", "c", ""),
        new GridRequest(Op.ALLOCATE, "r", "v", "t", 2, 8, "LOW", "as", "", "c", ""),
        new GridRequest(Op.ALLOCATE, "r", "v", "t", 2, 8, "LOW", "as", "g", "", "")}) {
      assertThat(other.fingerprint()).as("%s", other).isNotEqualTo(base.fingerprint());
    }
  }
}
