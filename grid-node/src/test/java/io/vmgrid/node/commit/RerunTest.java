package io.vmgrid.node.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.core.MemberLeftException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RerunTest {
  private final RuntimeException primaryLeft = new CompletionException(
      new IndeterminateOperationStateException("indeterminate operation state",
          new MemberLeftException("member left")));
  private final RuntimeException backupsMissed =
      new IndeterminateOperationStateException("Invocation failed because backup acks missed.");

  @Test
  void aPrimaryThatLeftIsToldFromBackupsThatDidNotConfirm() {
    assertThat(Rerun.primaryLeft(primaryLeft)).isTrue();
    assertThat(Rerun.primaryLeft(backupsMissed)).isFalse();
    assertThat(Rerun.primaryLeft(new HazelcastException(new MemberLeftException("left"))))
        .as("a member that left, without the indeterminate state").isFalse();
  }

  @Test
  void aWriteIsSentAgainOnlyWhileItsPrimaryLeftAndAtMostThreeTimes() {
    AtomicInteger calls = new AtomicInteger();
    assertThat(Rerun.ifPrimaryLeft(() -> {
      if (calls.incrementAndGet() < 3) {
        throw primaryLeft;
      }
      return "done";
    })).isEqualTo("done");
    assertThat(calls).hasValue(3);

    calls.set(0);
    assertThatThrownBy(() -> Rerun.ifPrimaryLeft(() -> {
      calls.incrementAndGet();
      throw primaryLeft;
    })).isSameAs(primaryLeft);
    assertThat(calls).hasValue(Rerun.ATTEMPTS);

    calls.set(0);
    assertThatThrownBy(() -> Rerun.ifPrimaryLeft(() -> {
      calls.incrementAndGet();
      throw backupsMissed;
    })).as("the same primary would answer again without its backups").isSameAs(backupsMissed);
    assertThat(calls).hasValue(1);
  }
}
