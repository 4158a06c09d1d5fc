package io.vmgrid.node.commit;

import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.core.MemberLeftException;
import java.util.function.Supplier;

/**
 * Sends a write again when Hazelcast failed it because the partition's primary left after the write
 * was sent. Members fail writes in an indeterminate state instead of completing or re-sending them
 * on their own ({@code hazelcast.invocation.fail.on.indeterminate.operation.state}, see
 * {@code GridNode.applyGridConfig}), for the sake of the other case: backups that did not confirm
 * while the primary stayed, where the primary's answer alone is no acknowledgement, and sending
 * again would only reach the same primary. A primary that left is a different matter: the next
 * primary holds what the write did if it ran (a graceful leave migrates it, a crash promotes a
 * backup that confirmed it), so the write is sent there, as Hazelcast's default would. Only for
 * writes that are safe to run twice (the grid's entry processors are: a second run finds its own
 * effect and changes nothing).
 */
public final class Rerun {
  /** Attempts in all, the first included. */
  public static final int ATTEMPTS = 3;

  private Rerun() {}

  /** Runs {@code write}, again while it fails because its primary left ({@link #primaryLeft}). */
  public static <T> T ifPrimaryLeft(Supplier<T> write) {
    for (int attempt = 1; ; attempt++) {
      try {
        return write.get();
      } catch (RuntimeException e) {
        if (attempt >= ATTEMPTS || !primaryLeft(e)) {
          throw e;
        }
      }
    }
  }

  /**
   * Whether {@code error} says a write ran on its primary but its backups did not confirm in time
   * (Hazelcast's {@code IndeterminateOperationStateException} without a departed primary behind
   * it): a backup's member crashed, or a split cut it off. Sending it again would reach the same
   * primary; whether the write stands is learnt by reading it back once the cluster settled.
   */
  public static boolean backupsMissed(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof IndeterminateOperationStateException) {
        return !primaryLeft(t);
      }
    }
    return false;
  }

  /**
   * Whether {@code error} says a write's primary left after the write was sent (Hazelcast's
   * {@code IndeterminateOperationStateException} caused by a {@code MemberLeftException}), as
   * opposed to its backups not confirming in time (the same exception without that cause).
   */
  public static boolean primaryLeft(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof IndeterminateOperationStateException) {
        for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
          if (c instanceof MemberLeftException) {
            return true;
          }
        }
        return false;
      }
    }
    return false;
  }
}
