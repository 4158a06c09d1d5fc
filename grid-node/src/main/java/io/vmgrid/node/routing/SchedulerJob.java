package io.vmgrid.node.routing;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.config.ProcessingGuarantee;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.ServiceFactories;
import com.hazelcast.jet.pipeline.ServiceFactory;
import com.hazelcast.jet.core.AbstractProcessor;
import com.hazelcast.jet.core.ProcessorMetaSupplier;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.Sources;
import com.hazelcast.jet.pipeline.StreamSource;
import org.jspecify.annotations.Nullable;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The Kamino scheduler's Jet job: Kamino's background estimator. Its source, one processor per
 * member, takes the processing times that member's agents measured (per top-level hit, rule hit
 * and rule miss) once a second; the job folds every batch into the cluster's running averages on
 * one processor and writes them to the {@code scheduler-state} map, whose events every member's
 * router follows. The routing decision itself is made per request on the member that receives it,
 * from these estimates and the agents' indicators (docs/design-decisions.md says why the requests
 * do not flow through the job).
 *
 * <p>One job per cluster, started by whichever member comes first ({@code newJobIfAbsent}),
 * restarted by Jet when members join or leave, and resubmitted by the oldest member if it ends. Its
 * guarantee is {@code NONE}: the state is the map entry, so a restarted job continues from it, and a
 * batch of samples lost in a restart only delays the averages.
 */
public final class SchedulerJob {
  private static final Logger LOG = Logger.getLogger(SchedulerJob.class.getName());
  /** The job's name. */
  public static final String NAME = "vmgrid-scheduler";

  private SchedulerJob() {}

  /** Starts the job unless it runs already; returns it. */
  public static Job ensureRunning(HazelcastInstance hz) {
    Job job = hz.getJet().newJobIfAbsent(pipeline(), new JobConfig().setName(NAME)
        .setProcessingGuarantee(ProcessingGuarantee.NONE));
    LOG.fine(() -> "scheduler job " + job.getIdString() + " is " + job.getStatus());
    return job;
  }

  /** The pipeline (public for tests and documentation). */
  public static Pipeline pipeline() {
    ServiceFactory<?, Estimates> estimates =
        ServiceFactories.sharedService(ctx -> Scheduling.of(ctx.hazelcastInstance()).requireEstimates());
    Pipeline p = Pipeline.create();
    // one cooperative processor per member, each taking its own member's measurements: no thread
    // of its own, no grid operation while there is nothing to take
    StreamSource<String> measurements = Sources.streamFromProcessor("measurements",
        ProcessorMetaSupplier.of(1, Measurements::new));
    p.readFrom(measurements)
        .withoutTimestamps()
        .setName("measurements")
        .rebalance(SchedulerJob::estimatorKey) // one processor folds every batch, in order
        .mapUsingService(estimates, SchedulerJob::fold)
        .setName("fold")
        .writeTo(Sinks.<String, String>map(Estimates.STATE_MAP))
        .setName("estimates");
    return p;
  }

  /** The source: emits this member's measurements once a second, never completes. */
  private static final class Measurements extends AbstractProcessor {
    private @Nullable Estimates estimates;
    private @Nullable String pending;

    @Override
    protected void init(Context context) {
      estimates = Scheduling.of(context.hazelcastInstance()).requireEstimates();
    }

    @Override
    public boolean complete() {
      Estimates e = estimates;
      if (pending == null && e != null) {
        pending = e.takeSamples();
      }
      if (pending != null && tryEmit(pending)) {
        pending = null;
      }
      return false;
    }
  }

  private static String estimatorKey(String samples) {
    return Estimates.ESTIMATOR_KEY;
  }

  private static Map.Entry<String, String> fold(Estimates estimates, String samples) {
    return Map.entry(Estimates.ESTIMATOR_KEY, estimates.fold(samples));
  }
}
