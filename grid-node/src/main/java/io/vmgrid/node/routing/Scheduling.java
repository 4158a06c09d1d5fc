package io.vmgrid.node.routing;

import com.hazelcast.core.HazelcastInstance;
import io.vmgrid.node.agent.AgentHost;
import io.vmgrid.node.metrics.NodeMetrics;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import io.vmgrid.rules.api.Rule;
import io.vmgrid.rules.ruleset.RuleSet;
import io.vmgrid.scheduler.policy.PolicyRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * This member's part of the Kamino scheduler: its {@link Router}, and, unless the policy is
 * {@code direct}, the {@link IndicatorBoard} its agents publish on and the routers of other members
 * read, the {@link Estimates} it routes with and feeds, and the supervision of the cluster's
 * {@link SchedulerJob} (the oldest member resubmits it if it ends). Found by the job's stages
 * through the member's user context.
 */
public final class Scheduling implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Scheduling.class.getName());
  private static final String CONTEXT_KEY = "vmgrid.scheduling";
  /** The policy name meaning "no scheduler: each member's own agents, shortest queue". */
  public static final String DIRECT = "direct";
  private static final String SHARED_QUEUE = "shared-queue";
  /** The policy members route with unless told otherwise. */
  public static final String DEFAULT_POLICY = "kamino-request";

  /**
   * Checks a policy name given as {@code field}: a {@link PolicyRegistry} name or {@link #DIRECT}.
   *
   * @throws IllegalArgumentException naming the field and the known values
   */
  public static void validatePolicy(String field, String name) {
    if (SHARED_QUEUE.equals(name)) {
      throw new IllegalArgumentException(field + ": " + SHARED_QUEUE + " cannot be expressed on the"
          + " grid (an agent's queue lives on its member, there is no queue idle agents could pull"
          + " from); jsq is the closest: " + String.join(", ", gridPolicies()));
    }
    if (!DIRECT.equals(name) && !PolicyRegistry.names().contains(name)) {
      throw new IllegalArgumentException(field + ": unknown policy '" + name + "'; known: "
          + String.join(", ", gridPolicies()));
    }
  }

  /** The policies the grid can run, and {@link #DIRECT}. */
  public static List<String> gridPolicies() {
    List<String> out = new ArrayList<>();
    for (String n : PolicyRegistry.names()) {
      if (!SHARED_QUEUE.equals(n)) {
        out.add(n);
      }
    }
    out.add(DIRECT);
    return out;
  }

  private final HazelcastInstance hz;
  private final String policy;
  private final Router router;
  private final @Nullable IndicatorBoard board;
  private final @Nullable Estimates estimates;
  private final @Nullable ScheduledExecutorService timer;
  private final AtomicLong resubmissions = new AtomicLong();

  /**
   * Sets up this member's scheduler services for {@code policy} and, unless it is {@code direct},
   * makes sure the cluster's job runs.
   *
   * @throws IllegalArgumentException if the policy is unknown
   */
  public Scheduling(HazelcastInstance hz, AgentHost agents, RuleSet ruleSet, NodeMetrics metrics,
      String policy, long seed) {
    validatePolicy("scheduler", policy);
    this.hz = hz;
    this.policy = policy;
    String member = hz.getCluster().getLocalMember().getUuid().toString();
    if (DIRECT.equals(policy)) {
      this.board = null;
      this.estimates = null;
      this.timer = null;
    } else {
      this.estimates = new Estimates(hz, ruleSet.rules().stream().map(Rule::name).toList());
      NodeTimings timings = NodeTimings.of(hz);
      this.board = new IndicatorBoard(hz, agents, metrics,
          timings.millis(Timing.INDICATOR_PUBLISH));
      long jobCheckMillis = timings.millis(Timing.SCHEDULER_JOB_CHECK);
      hz.getUserContext().put(CONTEXT_KEY, this);
      this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vmgrid-scheduling");
        t.setDaemon(true);
        return t;
      });
      var unused = timer.scheduleWithFixedDelay(this::keepJobRunning, jobCheckMillis,
          jobCheckMillis, TimeUnit.MILLISECONDS);
      try {
        SchedulerJob.ensureRunning(hz);
      } catch (RuntimeException e) {
        // e.g. the job record's write not confirmed while members start on a busy machine: the
        // member starts anyway, and the oldest member's job check submits the job again
        LOG.warning(() -> "submitting the scheduler job failed (" + e + "); the oldest member"
            + " checks it every " + jobCheckMillis + " ms and submits it again");
      }
    }
    this.router = new Router(agents, board, estimates, ruleSet, policy, member, metrics, seed,
        NodeClock.of(hz));
    if (estimates != null) {
      bindEstimates(metrics.registry(), router, estimates);
    }
  }

  /**
   * What Kamino believes, as gauges: the hop to another member ({@code vmgrid_router_hop_seconds})
   * and the latency estimates ({@code vmgrid_estimate_seconds{kind,rule}}: a top-level hit, and
   * each rule served from its cached result or evaluated from scratch), so that an operator can
   * tell why requests go where they go.
   */
  private static void bindEstimates(io.micrometer.core.instrument.MeterRegistry registry,
      Router router, Estimates estimates) {
    io.micrometer.core.instrument.Gauge.builder("vmgrid_router_hop_seconds", router,
            r -> r.hopNanos() / 1e9)
        .description("The cost of reaching an agent on another member that routing assumes")
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder("vmgrid_estimate_seconds", estimates,
            e -> e.topHitNanos() / 1e9)
        .description("Kamino's latency estimates: evaluating a top-level hit; per rule, its"
            + " cached result (rule_hit) or its evaluation (rule_miss); a request's share of its"
            + " group's commit (commit), added to each")
        .tags("kind", "top_hit", "rule", "").register(registry);
    io.micrometer.core.instrument.Gauge.builder("vmgrid_estimate_seconds", estimates,
            e -> e.commitNanos() / 1e9)
        .tags("kind", "commit", "rule", "").register(registry);
    List<String> rules = estimates.snapshot().ruleCatalogue();
    for (int i = 0; i < rules.size(); i++) {
      int rule = i;
      io.micrometer.core.instrument.Gauge.builder("vmgrid_estimate_seconds", estimates,
              e -> e.ruleHitNanos(rule) / 1e9)
          .tags("kind", "rule_hit", "rule", rules.get(i)).register(registry);
      io.micrometer.core.instrument.Gauge.builder("vmgrid_estimate_seconds", estimates,
              e -> e.ruleMissNanos(rule) / 1e9)
          .tags("kind", "rule_miss", "rule", rules.get(i)).register(registry);
    }
  }

  /** The member's scheduling services; waits (bounded) for a member that is still starting. */
  static Scheduling of(HazelcastInstance hz) {
    NodeClock clock = NodeClock.of(hz);
    long deadline = clock.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      if (hz.getUserContext().get(CONTEXT_KEY) instanceof Scheduling s) {
        return s;
      }
      if (clock.nanoTime() > deadline) {
        throw new IllegalStateException("no scheduler services on member " + hz.getName()
            + ": it was not started with a scheduling policy");
      }
      try {
        clock.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for the scheduler services", e);
      }
    }
  }

  /** The policy this member routes with. */
  public String policy() {
    return policy;
  }

  /** This member's router. */
  public Router router() {
    return router;
  }

  /** The estimates this member routes with and feeds (absent on the direct path). */
  public @Nullable Estimates estimates() {
    return estimates;
  }

  /** The estimates, for the job's stages (which run only where the policy is not direct). */
  Estimates requireEstimates() {
    Estimates e = estimates;
    if (e == null) {
      throw new IllegalStateException("the scheduler job runs on a member with the direct policy");
    }
    return e;
  }

  /** Resubmits the job if it ended (failed or was cancelled); the oldest member does it. */
  private void keepJobRunning() {
    try {
      if (!hz.getLifecycleService().isRunning()
          || !hz.getCluster().getMembers().iterator().next().localMember()) {
        return;
      }
      com.hazelcast.jet.Job job = hz.getJet().getJob(SchedulerJob.NAME);
      if (job == null || job.getStatus().isTerminal()) {
        LOG.warning(() -> "the scheduler job " + (job == null ? "is missing"
            : "ended (" + job.getStatus() + ")") + "; submitting it again");
        SchedulerJob.ensureRunning(hz);
        resubmissions.incrementAndGet();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "checking the scheduler job failed; retrying", e);
    }
  }

  /** How often this member resubmitted the job after it ended. */
  public long jobResubmissions() {
    return resubmissions.get();
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    if (board != null) {
      board.close();
    }
    if (estimates != null) {
      estimates.close();
    }
    try {
      hz.getUserContext().remove(CONTEXT_KEY, this);
    } catch (RuntimeException ignored) {
      // the member may already be stopped
    }
  }
}
