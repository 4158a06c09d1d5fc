package io.vmgrid.bench.e2e;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * One entry of the report per policy and round, one object of the JSON's {@code policies} list: the
 * policy's figures ({@link PolicyReport}) or why its run failed ({@link Failure}).
 */
sealed interface PolicyResult permits PolicyReport, PolicyResult.Failure {

  /** The policy. */
  String name();

  /** The round, when the run has more than one; null otherwise (and left out of the JSON). */
  @Nullable Integer round();

  /**
   * A policy whose run failed.
   *
   * @param name the policy
   * @param error what went wrong
   * @param round the round, when the run has more than one; null otherwise
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Failure(String name, String error, @Nullable Integer round) implements PolicyResult {}
}
