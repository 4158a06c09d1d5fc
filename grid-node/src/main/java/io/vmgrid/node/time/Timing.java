package io.vmgrid.node.time;

import java.time.Duration;

/**
 * Every timing of a member's services, each with its default: the periods of its sweeps, the
 * bounds of its waits, how long it keeps what it read. {@link NodeTimings} holds a member's values.
 */
public enum Timing {
  /** Longest a starting member waits for its view and mirror to know the loaded servers. */
  VIEW_CATCH_UP(Duration.ofSeconds(30)),
  /**
   * Jet's job-record scan period ({@code hazelcast.jet.job.scan.period}). Hazelcast's 5 s made
   * the master of a quiet three-member cluster spend two thirds of its invocations on scans. The
   * scheduler job starts when submitted and restarts when a member leaves without a scan; only
   * after the master itself left does the job wait for the new master's scan, up to this long,
   * while routing goes on with the last estimates. A {@code -Dhazelcast.jet.job.scan.period}
   * given to the JVM wins.
   */
  JET_JOB_SCAN(Duration.ofSeconds(30)),
  /**
   * Agents' indicators are published at most this often. A member's router reads its own agents
   * live and adds its own recent routings to other members'; what it misses for this long are
   * other members' routings to the same remote agent, which the hop's cost makes rare.
   */
  INDICATOR_PUBLISH(Duration.ofMillis(50)),
  /** How often the oldest member checks that the scheduler job exists, resubmitting it if not. */
  SCHEDULER_JOB_CHECK(Duration.ofSeconds(5)),
  /** How often a member hands its new latency measurements to the scheduler job. */
  ESTIMATE_FLUSH(Duration.ofSeconds(1)),
  /** Longest a safe answer of {@code vmgrid_cluster_safe} is kept without an event that could change it. */
  SAFETY_KEPT(Duration.ofSeconds(60)),
  /** Longest the inventory gauges reuse one pass over the servers (one pass per scrape, not per gauge). */
  GAUGE_SNAPSHOT(Duration.ofSeconds(1)),
  /** Longest a migration process holds back the start of cold agents. */
  AGENT_MIGRATION_WAIT(Duration.ofSeconds(20)),
  /** Period of the safety-net reconciliation of which agents run on a member. */
  AGENT_RECONCILE(Duration.ofSeconds(2)),
  /** How often an idle agent looks up from its queue (stop requests, records to write). */
  AGENT_IDLE_POLL(Duration.ofMillis(200)),
  /** Longest wait for a settling mirror before an agent rejects for lack of capacity. */
  MIRROR_WAIT(Duration.ofSeconds(5)),
  /**
   * How often an agent's cache-key summary (in its indicators) is rebuilt from its cache. A
   * rebuild only removes keys (processed ones are added at once), and entries go stale over
   * thousands of placements; at 100 ms the rebuilds took a fifth of the agents' time at 100,000
   * servers once hits were cheap.
   */
  AGENT_SUMMARY(Duration.ofMillis(500)),
  /**
   * Longest an agent holds new cache records unwritten. A new agent re-warms from them, so a busy
   * agent must not hold them back until its next idle moment (at 1 s, an agent that moved soon
   * after a burst started cold). When a migration starts they are written at once.
   */
  CACHE_RECORD_FLUSH(Duration.ofMillis(200)),
  /** Longest wait of a new agent for the cache records in its partition before it serves. */
  CACHE_RECORD_WAIT(Duration.ofSeconds(5)),
  /**
   * Longest the commits or records of one group whose backups did not confirm in time are tried
   * again before they are answered in doubt; each try waits at most the backup timeout (5 s). A
   * crashed member is dropped after the heartbeat timeout (15 s by default), after which the
   * writes confirm.
   */
  CONFIRM_WAIT(Duration.ofSeconds(15)),
  /** Quiet time after the last topology change before the inventory mirror is rebuilt. */
  MIRROR_REBUILD_QUIET(Duration.ofMillis(150)),
  /**
   * Longest wait for an agent's outcome. Past it the request is answered {@code IN_DOUBT}: its
   * agent may still commit it, and a retry with the same request id learns the outcome.
   */
  AGENT_WAIT(Duration.ofSeconds(60)),
  /** Wait after the first lost partition before repairing: collects the rest of the burst. */
  PARTITION_LOSS_SETTLE(Duration.ofSeconds(1)),
  /** Longest wait for the partition table to settle before repairing lost partitions anyway. */
  PARTITION_LOSS_SAFE_WAIT(Duration.ofSeconds(30)),
  /** First reconcile sweep after a member left: after the survivors' retries have settled. */
  DEPARTURE_SWEEP_FIRST(Duration.ofSeconds(5)),
  /** Second sweep after a member left, for commits that were still travelling. */
  DEPARTURE_SWEEP_SECOND(Duration.ofSeconds(20)),
  /** Time between reconcile passes after a merge while they keep finding something. */
  MERGE_REPEAT(Duration.ofSeconds(5)),
  /** Time between periodic reconcile passes. */
  RECONCILE_PERIOD(Duration.ofSeconds(60));

  private final Duration defaultValue;

  Timing(Duration defaultValue) {
    this.defaultValue = defaultValue;
  }

  /** Its value unless a member's settings say otherwise. */
  public Duration defaultValue() {
    return defaultValue;
  }

  /** Its name in a node file's {@code timings} section: {@code confirm-wait} for CONFIRM_WAIT. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
