package io.vmgrid.scheduler.api;

/** A policy's view of all agents at the moment it routes a request. */
public interface AgentsView {

  /** Number of agents; agent indices run from 0 to {@code size() - 1}. */
  int size();

  /** Indicators of agent {@code index}. */
  AgentIndicators agent(int index);

  /** The current time on the scheduler's (injected) clock. */
  long nowNanos();

  /** The latency estimator's current figures. */
  LatencyEstimates estimates();
}
