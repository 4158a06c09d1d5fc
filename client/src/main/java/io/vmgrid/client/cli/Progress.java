package io.vmgrid.client.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a member's answer to a long query (capacity, what-if, fragmentation, a consolidation
 * plan: 10–20 s on a large inventory) and says on standard error that it is still coming: a line
 * after {@link #FIRST} and then every {@link #EVERY}, so that a person does not take a long query
 * for a hung command. Standard output (the answer, or its JSON) is untouched.
 */
final class Progress {
  /** Quiet for this long: most queries answer sooner. */
  static final Duration FIRST = Duration.ofSeconds(3);
  /** Then one line this often. */
  static final Duration EVERY = Duration.ofSeconds(5);

  private Progress() {}

  /** {@link CompletableFuture#join()} of {@code answer}, with progress lines about {@code what}. */
  static <T> T await(CompletableFuture<T> answer, String what, PrintWriter err) {
    return await(answer, what, err, FIRST, EVERY);
  }

  /** As {@link #await(CompletableFuture, String, PrintWriter)}, with the two intervals given. */
  static <T> T await(CompletableFuture<T> answer, String what, PrintWriter err, Duration first,
      Duration every) {
    long start = System.nanoTime();
    long waitMillis = first.toMillis();
    while (true) {
      try {
        return answer.get(waitMillis, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        err.printf("%s: still computing on the member (%d s)%n", what, seconds);
        err.flush();
        waitMillis = every.toMillis();
      } catch (ExecutionException e) {
        throw new CompletionException(e.getCause()); // as join() throws it
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException(what + ": interrupted while waiting for the member");
      }
    }
  }
}
