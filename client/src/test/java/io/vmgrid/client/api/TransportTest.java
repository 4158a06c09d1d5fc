package io.vmgrid.client.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import org.junit.jupiter.api.Test;

/**
 * Which answers to a repeated allocation the client may pass on after an earlier attempt was cut
 * off by a member's departure: the earlier attempt may have placed the VM where the repeat cannot
 * see it (the other side of a split), so only answers that hold whatever it did are certain.
 */
class TransportTest {
  private static final GridRequest ALLOCATION = new GridRequest(GridRequest.Op.ALLOCATE, "r1",
      "vm-1", "t1", 2, 1_024, "REGULAR");

  private static GridResult answer(GridResult.Status status, Reason reason) {
    return GridResult.refused(ALLOCATION, status, reason, "");
  }

  @Test
  void aPlacementOrARefusalOfTheRequestItselfIsCertain() {
    assertThat(Transport.certainAfterCutOff(answer(GridResult.Status.PLACED, Reason.NONE)))
        .isTrue();
    assertThat(Transport.certainAfterCutOff(answer(GridResult.Status.FAILED, Reason.IN_DOUBT)))
        .isTrue();
    assertThat(Transport.certainAfterCutOff(
        answer(GridResult.Status.REJECTED, Reason.REQUEST_ID_REUSED))).isTrue();
    assertThat(Transport.certainAfterCutOff(
        answer(GridResult.Status.REJECTED, Reason.VM_ID_IN_USE))).isTrue();
  }

  @Test
  void aRefusalForLackOfQuorumOrCapacityIsNot() {
    assertThat(Transport.certainAfterCutOff(answer(GridResult.Status.FAILED, Reason.NO_QUORUM)))
        .as("the first attempt may have been placed on the other side of a split").isFalse();
    assertThat(Transport.certainAfterCutOff(answer(GridResult.Status.REJECTED,
        Reason.NO_CAPACITY))).as("the first attempt's commit may be waiting for its record")
        .isFalse();
    assertThat(Transport.certainAfterCutOff(answer(GridResult.Status.FAILED, Reason.CONFLICT)))
        .isFalse();
  }

  @Test
  void onlyAnAttemptThatMayHaveRunMarksTheRequestCutOff() {
    assertThat(Transport.mayHaveRun(new com.hazelcast.core.MemberLeftException("gone")))
        .as("the member left while the task ran").isTrue();
    assertThat(Transport.mayHaveRun(
        new com.hazelcast.spi.exception.TargetNotMemberException("not a member")))
        .as("also ends an invocation retried after its first send ran").isTrue();
    assertThat(Transport.mayHaveRun(new GridOperationException(Reason.UNAVAILABLE, "leaving")))
        .isFalse();
  }
}
