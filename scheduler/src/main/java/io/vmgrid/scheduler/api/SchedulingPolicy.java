package io.vmgrid.scheduler.api;

/**
 * A routing policy: assigns each classified request immediately and irrevocably to one agent.
 *
 * <p>Implementations may keep private state (a round-robin counter, a seeded random generator, a hash
 * ring) but see the agents only through {@link AgentsView}; the simulator and the grid's Jet job call
 * them the same way. A policy instance serves one scheduler and is not thread-safe.
 */
public interface SchedulingPolicy {

  /** {@link #select} result meaning "append to the one shared queue that idle agents pull from". */
  int SHARED_QUEUE = -2;

  /** {@link #stealFrom} result meaning "do not steal". */
  int NO_AGENT = -1;

  /** The policy's registry name, e.g. {@code kamino-request}. */
  String name();

  /**
   * The agent that {@code request} goes to, in {@code [0, agents.size())}, or {@link #SHARED_QUEUE}.
   * Called before the request is enqueued, so the indicators do not yet include it.
   */
  int select(ClassifiedRequest request, AgentsView agents);

  /**
   * The estimate stored with {@code request} when it is enqueued on {@code agent}: added to the
   * agent's queueTime on enqueue and subtracted, unchanged, on dequeue. Defaults to LatCache's
   * request-variant processing time.
   */
  default long estimateNanos(ClassifiedRequest request, AgentIndicators agent, LatencyEstimates e) {
    return LatCache.processingNanos(request, agent, e, false);
  }

  /**
   * Work stealing: when agent {@code idleAgent} has nothing to do, the agent whose oldest queued
   * request it takes over, or {@link #NO_AGENT}. Default: never steal.
   */
  default int stealFrom(int idleAgent, AgentsView agents) {
    return NO_AGENT;
  }
}
