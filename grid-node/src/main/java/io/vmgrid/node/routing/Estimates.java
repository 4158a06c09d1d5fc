package io.vmgrid.node.routing;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.vmgrid.client.wire.ForeignEntries;
import io.vmgrid.node.agent.AgentOutcome;
import io.vmgrid.node.time.NodeClock;
import io.vmgrid.node.time.NodeTimings;
import io.vmgrid.node.time.Timing;
import io.vmgrid.rules.engine.Lookup;
import io.vmgrid.scheduler.estimate.EstimatorDefaults;
import io.vmgrid.scheduler.estimate.LatencyEstimator;
import io.vmgrid.scheduler.api.LatencyEstimates;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * This member's side of Kamino's background estimator: the cluster's latency estimates as the
 * scheduler job last published them (what this member's router reads), and the measurements of
 * this member's agents since the last flush, sent to the job once a second.
 *
 * <p>The estimates live in the {@code scheduler-state} map under {@link #ESTIMATOR_KEY} (as the
 * estimator's JSON), so they outlive any member and a restarted job continues from them. Every
 * member follows the entry's events; before the first, it routes with the configured defaults.
 * The measurements reach the job without the grid: the job's source on each member takes them from
 * here ({@link #takeSamples}).
 */
public final class Estimates implements LatencyEstimates, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Estimates.class.getName());
  /** Map of the scheduler's state: the estimator, as JSON. */
  public static final String STATE_MAP = "scheduler-state";
  /** Key of the estimator in {@link #STATE_MAP}. */
  public static final String ESTIMATOR_KEY = "estimator";
  /**
   * How many of the latest measurements each estimate stands for. A request's commit share grows
   * with the load, and a cold member evaluates slowly: with cumulative means the estimates kept a
   * saturated start's times (bench e2e at 200/s after its full-speed warm-up: a top-level hit
   * believed 7.0 ms against 1.7 ms once the means forget). Misses and partial hits are rare once
   * the caches are warm (1-4% of lookups), so each of their estimates must forget within a few
   * dozen of its own measurements: with 500 every rule evaluated was still believed 5.8 ms after
   * two minutes at 200/s, against 0.6 ms with 50.
   */
  static final long MEMORY = 50;

  private final List<String> ruleNames;
  private final IMap<String, String> state;
  private final UUID listenerId;
  private final ForeignEntries foreign;
  private volatile LatencyEstimator current;
  private LatencyEstimator pending;
  private final NodeClock clock;
  /** How often a member hands its new measurements to the job ({@link Timing#ESTIMATE_FLUSH}). */
  private final long flushNanos;
  private long takenAtNanos;

  /** Follows the published estimates of the rules {@code ruleNames} and starts flushing. */
  public Estimates(HazelcastInstance hz, List<String> ruleNames) {
    this.ruleNames = List.copyOf(ruleNames);
    this.clock = NodeClock.of(hz);
    this.flushNanos = NodeTimings.of(hz).nanos(Timing.ESTIMATE_FLUSH);
    this.takenAtNanos = clock.nanoTime();
    this.state = hz.getMap(STATE_MAP);
    this.pending = fresh();
    this.current = fresh();
    IMap<String, Object> raw = hz.getMap(STATE_MAP);
    this.listenerId = raw.addEntryListener(new Listener(), ESTIMATOR_KEY, true);
    this.foreign = ForeignEntries.of(hz);
    Object saved = raw.get(ESTIMATOR_KEY);
    if (saved != null && !(saved instanceof String)) {
      foreign.skip(STATE_MAP, ESTIMATOR_KEY, saved);
    }
    if (saved instanceof String json) {
      adopt(json);
      LatencyEstimator loaded = current;
      LOG.info(() -> "latency estimates loaded from the grid: "
          + java.util.Arrays.toString(loaded.counts()) + " measurements (top hit, rule hit, rule miss)");
    }
  }

  private LatencyEstimator fresh() {
    return new LatencyEstimator(ruleNames, EstimatorDefaults.DEFAULTS, MEMORY);
  }

  /**
   * Learns from what an agent measured for a request routed with {@code ruleIds}. The agent is
   * busy for the evaluation and for its share of the group's commit; the two are learned apart.
   * The evaluation goes to the estimate of the lookup it made (a top-level hit, or spread evenly
   * over the rules as their hits or misses, so that the sum over a request's rules adds up to the
   * whole evaluation); the commit share goes to the commit estimate, which every request feeds and
   * LatCache adds to every processing estimate. Learned together, a miss's estimate carried the
   * commits of the rare moments misses happen in (a saturated start: every rule evaluated was
   * believed to cost 18 ms against 1.7 ms for a top-level hit at 200/s), so that any agent
   * without the type cached looked ten times slower than one with it, and a third of the requests
   * were forwarded.
   */
  public void learn(AgentOutcome out, int[] ruleIds) {
    long evaluated = out.evaluateNanos();
    synchronized (this) {
      pending.recordCommit(out.commitNanos());
      if (out.lookup() == Lookup.TOP_HIT) {
        pending.recordTopHit(evaluated);
      } else if (ruleIds.length > 0) {
        long share = evaluated / ruleIds.length;
        for (int rule : ruleIds) {
          if (out.lookup() == Lookup.PARTIAL_HIT) {
            pending.recordRuleHit(rule, share);
          } else {
            pending.recordRuleMiss(rule, share);
          }
        }
      }
    }
  }

  /**
   * The measurements made since the last take, as JSON, at most once per {@link Timing#ESTIMATE_FLUSH};
   * null if none are due. The job's source on this member calls it.
   */
  synchronized @Nullable String takeSamples() {
    if (pending.isEmpty() || clock.nanoTime() - takenAtNanos < flushNanos) {
      return null;
    }
    takenAtNanos = clock.nanoTime();
    LatencyEstimator out = pending;
    pending = fresh();
    return out.toJson();
  }

  /**
   * The job's fold: the current estimates with the measurements in {@code samplesJson} added, as
   * JSON (what the job writes back to {@link #STATE_MAP}). Unreadable samples change nothing.
   */
  String fold(String samplesJson) {
    LatencyEstimator next = current.copy();
    try {
      next.merge(LatencyEstimator.fromJson(samplesJson, ruleNames, EstimatorDefaults.DEFAULTS));
    } catch (IOException | RuntimeException e) {
      LOG.warning(() -> "ignoring unreadable latency measurements: " + e);
      return current.toJson();
    }
    current = next;
    return next.toJson();
  }

  private void adopt(String json) {
    try {
      current = LatencyEstimator.fromJson(json, ruleNames, EstimatorDefaults.DEFAULTS, MEMORY);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "the published latency estimates cannot be read; keeping the current"
          + " ones", e);
    }
  }

  /** The estimates routing uses now (a copy). */
  public LatencyEstimator snapshot() {
    return current.copy();
  }

  @Override
  public long topHitNanos() {
    return current.topHitNanos();
  }

  @Override
  public long ruleHitNanos(int ruleId) {
    return current.ruleHitNanos(ruleId);
  }

  @Override
  public long ruleMissNanos(int ruleId) {
    return current.ruleMissNanos(ruleId);
  }

  @Override
  public long commitNanos() {
    return current.commitNanos();
  }

  @Override
  public void close() {
    try {
      state.removeEntryListener(listenerId);
    } catch (RuntimeException ignored) {
      // the member may already be stopped
    }
  }

  /** Follows the published estimates (values read raw: anything but a string is ignored). */
  private final class Listener
      implements EntryAddedListener<String, Object>, EntryUpdatedListener<String, Object> {
    @Override
    public void entryAdded(EntryEvent<String, Object> e) {
      take(e.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, Object> e) {
      take(e.getValue());
    }

    private void take(@Nullable Object value) {
      if (value instanceof String json) {
        adopt(json);
      } else if (value != null) {
        foreign.skip(STATE_MAP, ESTIMATOR_KEY, value);
      }
    }
  }
}
