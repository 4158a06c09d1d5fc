package io.vmgrid.client.wire;

import java.util.List;

/**
 * A member's entry point for requests: what a {@link GridTask} calls when it runs on the member.
 * The member's grid services put their implementation into the member's user context under
 * {@link #CONTEXT_KEY} once they serve, and take it out before they stop.
 */
public interface GridEndpoint {
  /** Key of the endpoint in a member's user context. */
  String CONTEXT_KEY = "vmgrid.endpoint";

  /**
   * Carries out {@code requests} and returns one result per request, in the same order. Blocks
   * until every request has its outcome. Never throws for a bad request: it gets a result that
   * says what is wrong.
   */
  GridResults handle(List<GridRequest> requests);
}
