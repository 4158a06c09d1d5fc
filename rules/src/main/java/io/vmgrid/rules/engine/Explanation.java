package io.vmgrid.rules.engine;

import io.vmgrid.rules.api.Level;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Why a request got the candidates it got: per validator, how many servers it failed and how many it
 * removed in evaluation order, and the top candidates' raw preference scores.
 *
 * @param requestId the request
 * @param servers servers in the inventory
 * @param validators one line per validator, in evaluation order
 * @param passing servers that passed every validator
 * @param top the best candidates with their scores
 * @param preemptServerId when no server passes, the server a preemption would place on, or null
 * @param wouldEvict the VMs that preemption would evict there (empty if none)
 */
public record Explanation(
    String requestId,
    int servers,
    List<ValidatorCount> validators,
    int passing,
    List<ScoredCandidate> top,
    @Nullable String preemptServerId,
    List<String> wouldEvict) {

  /** Copies the lists. */
  public Explanation {
    validators = List.copyOf(validators);
    top = List.copyOf(top);
    wouldEvict = List.copyOf(wouldEvict);
  }

  /** An explanation without preemption. */
  public Explanation(String requestId, int servers, List<ValidatorCount> validators, int passing,
      List<ScoredCandidate> top) {
    this(requestId, servers, validators, passing, top, null, List.of());
  }

  /**
   * One validator's effect.
   *
   * @param rule the rule name
   * @param level where it ran
   * @param failed servers failing it on its own
   * @param removed servers it removed from those that survived the earlier validators
   * @param sampleReason the reason given for one removed server, or null
   */
  public record ValidatorCount(
      String rule, Level level, int failed, int removed, @Nullable String sampleReason) {}

  /**
   * One top candidate.
   *
   * @param rank 0 = best
   * @param serverId the server
   * @param key the combined key
   * @param rawScores raw score per preference rule, in priority order
   */
  public record ScoredCandidate(int rank, String serverId, long key, Map<String, Double> rawScores) {}

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append("request ").append(requestId).append(": ").append(passing).append(" of ")
        .append(servers).append(" servers pass\n");
    for (ValidatorCount v : validators) {
      sb.append(String.format(Locale.ROOT, "  %-28s %-7s failed %7d  removed %7d%s%n", v.rule(),
          v.level().name().toLowerCase(Locale.ROOT), v.failed(), v.removed(),
          v.sampleReason() == null ? "" : "  e.g. " + v.sampleReason()));
    }
    for (ScoredCandidate c : top) {
      sb.append(String.format(Locale.ROOT, "  #%d %s key=%x %s%n", c.rank(), c.serverId(), c.key(),
          c.rawScores()));
    }
    if (preemptServerId != null) {
      sb.append("  preemption: place on ").append(preemptServerId).append(", evicting ")
          .append(String.join(", ", wouldEvict)).append('\n');
    }
    return sb.toString();
  }
}
