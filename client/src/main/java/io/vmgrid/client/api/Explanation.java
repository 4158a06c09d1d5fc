package io.vmgrid.client.api;

import java.util.List;
import java.util.Map;

/**
 * Why a request would get the servers it would get, computed by a grid member with the same rules
 * and inventory its agents use (nothing is placed).
 *
 * @param servers servers in the inventory
 * @param passing servers that pass every validator
 * @param validators each validator's effect, in evaluation order
 * @param top the best candidates, best first, with their raw preference scores
 * @param preemptServerId when no server passes: the server where evicting lower-priority VMs would
 *     make room (the rule set's preemption policy applies); empty if none or if some server passes
 * @param wouldEvict the VMs a preemption would evict there; empty without one
 */
public record Explanation(int servers, int passing, List<Validator> validators,
    List<Candidate> top, String preemptServerId, List<String> wouldEvict) {

  /** Copies the lists. */
  public Explanation {
    validators = List.copyOf(validators);
    top = List.copyOf(top);
    wouldEvict = List.copyOf(wouldEvict);
  }

  /** An explanation without a preemption. */
  public Explanation(int servers, int passing, List<Validator> validators, List<Candidate> top) {
    this(servers, passing, validators, top, "", List.of());
  }

  /**
   * One validator's effect.
   *
   * @param rule the rule's name
   * @param level {@code CLUSTER} or {@code SERVER}
   * @param failed servers failing it on its own
   * @param removed servers it removed from those that survived the validators before it
   * @param sampleReason the reason it gave for one removed server (empty if it removed none)
   */
  public record Validator(String rule, String level, int failed, int removed, String sampleReason) {}

  /**
   * One of the best candidates.
   *
   * @param rank 0 = best
   * @param serverId the server
   * @param scores raw score per preference rule, in priority order
   */
  public record Candidate(int rank, String serverId, Map<String, Double> scores) {}

  /** The validators that removed the most servers, most first (at most {@code n}). */
  public List<Validator> topRemovers(int n) {
    return validators.stream().filter(v -> v.removed() > 0)
        .sorted((a, b) -> Integer.compare(b.removed(), a.removed())).limit(n).toList();
  }
}
