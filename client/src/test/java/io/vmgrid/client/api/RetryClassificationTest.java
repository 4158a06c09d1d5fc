package io.vmgrid.client.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Which failures the transport sends again (the request may not have been carried out) and which
 * it passes on, looking through wrappers; and the trait key that sends requests of one type to
 * the member whose agents know it.
 */
class RetryClassificationTest {

  @Test
  void aMemberLeavingOrNotAnsweringInTimeIsRetried() {
    for (Throwable t : new Throwable[] {new TargetDisconnectedException("gone"),
        new MemberLeftException("left"), new TargetNotMemberException("not a member"),
        new OperationTimeoutException("slow"), new RejectedExecutionException("queue full"),
        new GridOperationException(Reason.UNAVAILABLE, "starting")}) {
      assertThat(Transport.retryable(t)).as("%s", t).isTrue();
      assertThat(Transport.retryable(new CompletionException(new ExecutionException(t))))
          .as("wrapped %s", t).isTrue();
    }
  }

  @Test
  void anythingElseIsPassedOnAndAClientShuttingDownIsNeverRetried() {
    assertThat(Transport.retryable(new IllegalStateException("bug"))).isFalse();
    assertThat(Transport.retryable(new HazelcastSerializationException("bad schema"))).isFalse();
    assertThat(Transport.retryable(new GridOperationException(Reason.NO_QUORUM, "split")))
        .isFalse();
    assertThat(Transport.retryable(new HazelcastInstanceNotActiveException())).isFalse();
    assertThat(Transport.retryable(new CompletionException(
        new HazelcastInstanceNotActiveException()))).isFalse();
  }

  @Test
  void onlyAnUnavailableAnswerAnywhereInTheCausesProvesNothingRan() {
    assertThat(Transport.mayHaveRun(new OperationTimeoutException("slow"))).isTrue();
    assertThat(Transport.mayHaveRun(new CompletionException(
        new GridOperationException(Reason.UNAVAILABLE, "leaving")))).isFalse();
    assertThat(Transport.mayHaveRun(new GridOperationException(Reason.TIMEOUT, "late")))
        .isTrue();
  }

  @ParameterizedTest
  @EnumSource(Reason.class)
  void afterACutOffOnlyRefusalsOfTheRequestItselfAreCertain(Reason reason) {
    GridRequest r = new GridRequest(GridRequest.Op.ALLOCATE, "r", "v", "t", 1, 1, "REGULAR");
    boolean certain = Transport.certainAfterCutOff(
        GridResult.refused(r, GridResult.Status.REJECTED, reason, ""));

    assertThat(certain).isEqualTo(reason == Reason.IN_DOUBT || reason == Reason.REQUEST_ID_REUSED
        || reason == Reason.VM_ID_IN_USE || reason == Reason.INVALID_INPUT);
  }

  @Test
  void requestsOfOneTypeShareATraitKeyWhateverTheirIds() {
    GridRequest a = new GridRequest(GridRequest.Op.ALLOCATE, "r1", "vm-1", "t", 4, 8_192, "LOW",
        "as", "g", "c1", "");
    GridRequest sameType = new GridRequest(GridRequest.Op.ALLOCATE, "r2", "vm-2", "t", 4, 8_192,
        "LOW", "as", "g", "c1", "");
    GridRequest otherPin = new GridRequest(GridRequest.Op.ALLOCATE, "r1", "vm-1", "t", 4, 8_192,
        "LOW", "as", "g", "c2", "");
    GridRequest otherTenant = new GridRequest(GridRequest.Op.ALLOCATE, "r1", "vm-1", "u", 4,
        8_192, "LOW", "as", "g", "c1", "");

    assertThat(Transport.traitKey(sameType)).isEqualTo(Transport.traitKey(a));
    assertThat(Transport.traitKey(otherPin)).isNotEqualTo(Transport.traitKey(a));
    assertThat(Transport.traitKey(otherTenant)).isNotEqualTo(Transport.traitKey(a));
  }

  @Test
  void aGridOperationExceptionKeepsItsReasonApartFromItsDetail() {
    GridOperationException e = new GridOperationException(Reason.CONFLICT, "retry later");

    assertThat(e.reason()).isEqualTo(Reason.CONFLICT);
    assertThat(e.detail()).isEqualTo("retry later");
    assertThat(e).hasMessage("CONFLICT: retry later");
    assertThat(Reason.parse("")).isEqualTo(Reason.NONE);
    assertThat(Reason.parse(null)).isEqualTo(Reason.NONE);
    assertThat(Reason.parse("conflict")).as("names are exact").isEqualTo(Reason.UNKNOWN);
  }
}
