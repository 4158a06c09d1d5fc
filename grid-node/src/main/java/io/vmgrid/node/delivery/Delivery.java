package io.vmgrid.node.delivery;

import io.vmgrid.client.api.Reason;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResult;
import io.vmgrid.client.wire.Placement;
import io.vmgrid.node.agent.AgentOutcome;
import io.vmgrid.node.metrics.NodeMetrics;
import io.vmgrid.node.time.NodeClock;
import java.util.concurrent.TimeUnit;

/**
 * Turns what happened to a request into the answer its client receives (the {@link GridResult}
 * that travels back as the invocation's response), and counts it in the member's metrics. The
 * answer is the outcome's only delivery: nothing is written to the grid for it.
 */
public final class Delivery {
  private final NodeMetrics metrics;
  private final String memberUuid;
  private final NodeClock clock;

  /** Delivery on the member {@code memberUuid}, timing answers by {@code clock}. */
  public Delivery(NodeMetrics metrics, String memberUuid, NodeClock clock) {
    this.metrics = metrics;
    this.memberUuid = memberUuid;
    this.clock = clock;
  }

  /** The answer to allocation {@code r} from its agent's {@code outcome} (on the agent's member). */
  public GridResult allocated(GridRequest r, AgentOutcome out, long arrivedNanos) {
    metrics.stage(NodeMetrics.Stage.AGENT_QUEUE, out.queueNanos());
    metrics.stage(NodeMetrics.Stage.EVALUATE, out.evaluateNanos());
    metrics.stage(NodeMetrics.Stage.COMMIT, out.commitNanos());
    GridResult.Status status = switch (out.status()) {
      case PLACED -> GridResult.Status.PLACED;
      case REJECTED -> GridResult.Status.REJECTED;
      case FAILED -> GridResult.Status.FAILED;
    };
    return new GridResult(r.requestId(), r.vmId(), status, out.reason(), out.message(),
        out.serverId(), out.attempts(), micros(arrivedNanos), out.clusterId(), out.agentId(),
        memberUuid);
  }

  /**
   * The answer to an allocation found placed already (a retry): the original placement, by the
   * agent its record names.
   */
  public GridResult placedBefore(GridRequest r, Placement record, String clusterId,
      long arrivedNanos) {
    return new GridResult(r.requestId(), r.vmId(), GridResult.Status.PLACED, Reason.NONE, "",
        record.serverId(), 0, micros(arrivedNanos), clusterId, record.agentId(), "");
  }

  /** A result of {@code status} and {@code reason} for a request that did nothing else. */
  public GridResult result(GridRequest r, GridResult.Status status, Reason reason, String message,
      String serverId, long arrivedNanos) {
    return new GridResult(r.requestId(), r.vmId(), status, reason, message, serverId,
        status == GridResult.Status.RELEASED ? 1 : 0, micros(arrivedNanos));
  }

  /** Counts {@code result}, the answer to {@code r}, which arrived at {@code arrivedNanos}. */
  public void delivered(GridRequest r, GridResult result, long arrivedNanos) {
    GridRequest.Op op = r.op();
    metrics.request(op == null ? "invalid" : op.name(), result.status().name(),
        result.reason() == Reason.NONE ? "" : result.reason().name(),
        clock.nanoTime() - arrivedNanos);
  }

  private long micros(long sinceNanos) {
    return TimeUnit.NANOSECONDS.toMicros(clock.nanoTime() - sinceNanos);
  }
}
