package io.vmgrid.node.intake;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.GridEndpoint;
import io.vmgrid.client.wire.GridRequest;
import io.vmgrid.client.wire.GridResults;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * Allocations a member's router sent to agents on another member: one task per target member and
 * incoming batch, on the {@link #EXECUTOR} (apart from the intake executor, so two members
 * forwarding to each other never wait for each other's intake threads). On the target the agents
 * named take them (or, if an agent moved meanwhile, the least loaded local one); the results come
 * back in order. A target that does not serve answers {@code UNAVAILABLE}: nothing was done.
 */
final class ForwardTask implements Callable<GridResults>, HazelcastInstanceAware {
  /** The executor forwarded allocations run on. */
  static final String EXECUTOR = "vmgrid-forward";

  private final List<Forwarded> items;
  private @Nullable HazelcastInstance member;

  /**
   * One forwarded allocation: the request, the agent chosen for it and what the router stored with
   * it.
   *
   * @param request the request
   * @param agentId the agent
   * @param typeKey fingerprint of its request type (0 if not classified)
   * @param ruleKeys fingerprints of its rule keys
   * @param ruleIds its rules' catalogue ids (for learning the agent's timing)
   * @param estimateNanos the router's estimate of its processing time
   */
  @SuppressWarnings("ArrayRecordComponent") // never modified after routing
  record Forwarded(GridRequest request, String agentId, long typeKey, long[] ruleKeys,
      int[] ruleIds, long estimateNanos) {}

  ForwardTask(List<Forwarded> items) {
    this.items = List.copyOf(items);
  }

  List<Forwarded> items() {
    return items;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance instance) {
    this.member = instance;
  }

  @Override
  public GridResults call() {
    HazelcastInstance hz = Objects.requireNonNull(member, "hazelcast instance not injected");
    if (hz.getUserContext().get(GridEndpoint.CONTEXT_KEY) instanceof Intake intake) {
      return intake.runForwarded(items);
    }
    List<GridRequest> requests = new ArrayList<>(items.size());
    items.forEach(f -> requests.add(f.request()));
    return GridResults.unavailable(requests, "member " + hz.getCluster().getLocalMember()
        + " does not serve requests now: nothing was done");
  }

  static final class Serializer implements CompactSerializer<ForwardTask> {
    @Override
    public ForwardTask read(CompactReader in) {
      GridRequest[] requests =
          Objects.requireNonNull(in.readArrayOfCompact("requests", GridRequest.class), "requests");
      String[] agents = Objects.requireNonNull(in.readArrayOfString("agents"), "agents");
      long[] typeKeys = Objects.requireNonNull(in.readArrayOfInt64("typeKeys"), "typeKeys");
      int[] ruleCounts = Objects.requireNonNull(in.readArrayOfInt32("ruleCounts"), "ruleCounts");
      long[] ruleKeys = Objects.requireNonNull(in.readArrayOfInt64("ruleKeys"), "ruleKeys");
      int[] ruleIds = Objects.requireNonNull(in.readArrayOfInt32("ruleIds"), "ruleIds");
      long[] estimates = Objects.requireNonNull(in.readArrayOfInt64("estimates"), "estimates");
      List<Forwarded> items = new ArrayList<>(requests.length);
      int next = 0;
      for (int i = 0; i < requests.length; i++) {
        int n = ruleCounts[i];
        items.add(new Forwarded(Objects.requireNonNull(requests[i], "requests: null element"),
            Objects.requireNonNull(agents[i], "agents: null element"), typeKeys[i],
            java.util.Arrays.copyOfRange(ruleKeys, next, next + n),
            java.util.Arrays.copyOfRange(ruleIds, next, next + n), estimates[i]));
        next += n;
      }
      return new ForwardTask(items);
    }

    @Override
    public void write(CompactWriter out, ForwardTask t) {
      int n = t.items.size();
      GridRequest[] requests = new GridRequest[n];
      String[] agents = new String[n];
      long[] typeKeys = new long[n];
      int[] ruleCounts = new int[n];
      long[] estimates = new long[n];
      int total = 0;
      for (Forwarded f : t.items) {
        total += f.ruleKeys().length;
      }
      long[] ruleKeys = new long[total];
      int[] ruleIds = new int[total];
      int next = 0;
      for (int i = 0; i < n; i++) {
        Forwarded f = t.items.get(i);
        requests[i] = f.request();
        agents[i] = f.agentId();
        typeKeys[i] = f.typeKey();
        ruleCounts[i] = f.ruleKeys().length;
        estimates[i] = f.estimateNanos();
        System.arraycopy(f.ruleKeys(), 0, ruleKeys, next, f.ruleKeys().length);
        System.arraycopy(f.ruleIds(), 0, ruleIds, next, f.ruleIds().length);
        next += f.ruleKeys().length;
      }
      out.writeArrayOfCompact("requests", requests);
      out.writeArrayOfString("agents", agents);
      out.writeArrayOfInt64("typeKeys", typeKeys);
      out.writeArrayOfInt32("ruleCounts", ruleCounts);
      out.writeArrayOfInt64("ruleKeys", ruleKeys);
      out.writeArrayOfInt32("ruleIds", ruleIds);
      out.writeArrayOfInt64("estimates", estimates);
    }

    @Override
    public String getTypeName() {
      return "vmgrid.ForwardTask";
    }

    @Override
    public Class<ForwardTask> getCompactClass() {
      return ForwardTask.class;
    }
  }
}
