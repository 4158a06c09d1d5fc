package io.vmgrid.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Progress lines while a long query is answered; the answer and its failure pass through. */
class ProgressTest {
  private final StringWriter err = new StringWriter();
  private final PrintWriter out = new PrintWriter(err);

  @Test
  void aSlowAnswerGetsLinesOnStandardErrorAndIsReturned() {
    CompletableFuture<String> slow = new CompletableFuture<>();
    CompletableFuture.delayedExecutor(450, TimeUnit.MILLISECONDS).execute(() -> slow.complete("42"));
    String answer = Progress.await(slow, "capacity", out, Duration.ofMillis(100),
        Duration.ofMillis(100));
    assertThat(answer).isEqualTo("42");
    String[] lines = err.toString().split("\n", -1);
    assertThat(lines.length - 1).as("lines: %s", err).isBetween(2, 5);
    assertThat(lines[0]).matches("capacity: still computing on the member \\(0 s\\)");
  }

  @Test
  void aQuickAnswerPrintsNothing() {
    assertThat(Progress.await(CompletableFuture.completedFuture(7), "what-if", out)).isEqualTo(7);
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aFailureIsThrownAsJoinThrowsIt() {
    CompletableFuture<String> failed = CompletableFuture.failedFuture(
        new IllegalStateException("member gone"));
    assertThatThrownBy(() -> Progress.await(failed, "capacity", out))
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(IllegalStateException.class).hasRootCauseMessage("member gone");
  }
}
