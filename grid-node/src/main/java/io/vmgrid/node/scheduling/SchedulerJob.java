package io.vmgrid.node.scheduling;

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
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.MapNames;
import java.util.logging.Logger;

/**
 * The scheduler's Jet job: {@code requests} event journal → routing stage (classify, select) →
 * partitioned edge keyed by agent id, so each request reaches the member that owns its agent's
 * partition → delivery stage (the request processor claims, places through the local agent and
 * writes the outcome, which reaches the client by its result listener).
 *
 * <p>One job per cluster, started by whichever member comes first ({@code newJobIfAbsent}) and
 * restarted by Jet when members join or leave. Its guarantee is {@code NONE}: a request that was in
 * the job when it restarted is not replayed by the job but by its owner's grace-period check
 * (see {@code RequestProcessor}), and claims make any second copy harmless. Only valid allocations
 * enter the job; everything else is answered by the request's owner directly.
 */
public final class SchedulerJob {
  private static final Logger LOG = Logger.getLogger(SchedulerJob.class.getName());
  /** The job's name. */
  public static final String NAME = "vmgrid-scheduler";
  /** Outstanding deliveries per delivery processor. */
  static final int MAX_IN_FLIGHT = 1_024;

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
    // Cooperative: routing reads only member-local state (the indicator view, the agent list) and
    // computes; a non-cooperative stage would park for up to 5 ms between sparse requests.
    ServiceFactory<?, Scheduling> router =
        ServiceFactories.sharedService(ctx -> Scheduling.of(ctx.hazelcastInstance()));
    ServiceFactory<?, Scheduling> delivery =
        ServiceFactories.sharedService(ctx -> Scheduling.of(ctx.hazelcastInstance()));
    Pipeline p = Pipeline.create();
    p.readFrom(Sources.<GridRequest, String, Object>mapJournal(MapNames.REQUESTS,
            JournalInitialPosition.START_FROM_CURRENT, SchedulerJob::request,
            SchedulerJob::isNewAllocation))
        .withoutTimestamps()
        .setName("requests")
        .mapUsingService(router, Scheduling::route)
        .setName("route")
        .rebalance(RoutedRequest::agentId) // partitioned edge: to the owner of the agent's partition
        .mapUsingServiceAsync(delivery, MAX_IN_FLIGHT, false, Scheduling::handle)
        .setName("deliver")
        .writeTo(Sinks.noop());
    return p;
  }

  private static GridRequest request(EventJournalMapEvent<String, Object> e) {
    return (GridRequest) e.getNewValue();
  }

  private static boolean isNewAllocation(EventJournalMapEvent<String, Object> e) {
    return (e.getType() == EntryEventType.ADDED || e.getType() == EntryEventType.UPDATED)
        && e.getNewValue() instanceof GridRequest r && r.op() == GridRequest.Op.ALLOCATE
        && r.problem() == null;
  }
}
