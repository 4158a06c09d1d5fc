package io.vmgrid.node.routing;

import com.hazelcast.core.EntryEventType;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.config.ProcessingGuarantee;
import com.hazelcast.jet.pipeline.JournalInitialPosition;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.ServiceFactories;
import com.hazelcast.jet.pipeline.ServiceFactory;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.Sources;
import com.hazelcast.map.EventJournalMapEvent;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The Kamino scheduler's Jet job: Kamino's background estimator. Members send the processing
 * times their agents measured (per top-level hit, rule hit and rule miss) through the
 * {@code scheduler-samples} map once a second; the job reads that map's event journal, folds every
 * batch into the cluster's running averages on one processor, and writes them to the
 * {@code scheduler-state} map, whose events every member's router follows. The routing decision
 * itself is made per request on the member that receives it, from these estimates and the agents'
 * indicators (docs/design-decisions.md says why the requests do not flow through the job).
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
        ServiceFactories.sharedService(ctx -> Scheduling.of(ctx.hazelcastInstance()).estimates());
    Pipeline p = Pipeline.create();
    p.readFrom(Sources.<String, String, Object>mapJournal(Estimates.SAMPLES_MAP,
            JournalInitialPosition.START_FROM_CURRENT, SchedulerJob::samples,
            SchedulerJob::isSamples))
        .withoutTimestamps()
        .setName("measurements")
        .rebalance(SchedulerJob::estimatorKey) // one processor folds every batch, in order
        .mapUsingService(estimates, SchedulerJob::fold)
        .setName("fold")
        .writeTo(Sinks.<String, String>map(Estimates.STATE_MAP))
        .setName("estimates");
    return p;
  }

  private static String samples(EventJournalMapEvent<String, Object> e) {
    return (String) e.getNewValue();
  }

  private static String estimatorKey(String samples) {
    return Estimates.ESTIMATOR_KEY;
  }

  private static Map.Entry<String, String> fold(Estimates estimates, String samples) {
    return Map.entry(Estimates.ESTIMATOR_KEY, estimates.fold(samples));
  }

  private static boolean isSamples(EventJournalMapEvent<String, Object> e) {
    return (e.getType() == EntryEventType.ADDED || e.getType() == EntryEventType.UPDATED)
        && e.getNewValue() instanceof String;
  }
}
