package io.vmgrid.rules.engine;

import java.util.List;

/**
 * The server chosen for a request, and the VMs to evict there first when the request only fits by
 * preemption ({@link RuleEngine#preempt}).
 *
 * <p>A decision with victims must be committed as one step on the server: evict every victim and
 * place the request together, or do neither (a victim already gone, or no longer of lower priority,
 * means the decision is stale and the request should be decided again).
 *
 * @param server the server index
 * @param serverId the server id
 * @param rank its rank among the candidates (0 = best; 0 for a preemption)
 * @param n0 how many top candidates the pick was made among (1 for a preemption)
 * @param victims ids of the lower-priority VMs on the server to evict first; empty without preemption
 */
public record Decision(int server, String serverId, int rank, int n0, List<String> victims) {

  /** Copies the victims. */
  public Decision {
    victims = List.copyOf(victims);
  }

  /** A decision that evicts nothing. */
  public Decision(int server, String serverId, int rank, int n0) {
    this(server, serverId, rank, n0, List.of());
  }

  /** Whether the request only fits by evicting {@link #victims()}. */
  public boolean preempts() {
    return !victims.isEmpty();
  }
}
