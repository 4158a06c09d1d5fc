package io.vmgrid.node.agent;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.wire.GridRequest;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * The direct path's message: "agent {@code agentId}, place this". Sent with
 * {@code IExecutorService.submitToKeyOwner(task, agentId)}, so it runs on the member that owns the
 * agent's partition, where it joins the agent's FIFO queue and waits for the outcome.
 */
public final class AgentTask implements Callable<AgentOutcome>, HazelcastInstanceAware {
  private final String agentId;
  private final GridRequest request;
  private @Nullable HazelcastInstance hz;

  /** A task for {@code agentId}. */
  public AgentTask(String agentId, GridRequest request) {
    this.agentId = agentId;
    this.request = request;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance instance) {
    this.hz = instance;
  }

  @Override
  public AgentOutcome call() throws Exception {
    HazelcastInstance local = Objects.requireNonNull(hz, "hazelcast instance not injected");
    AgentHost host = AgentHost.of(local);
    return host.run(agentId, request).get();
  }

  /** Compact serializer (member-internal). */
  static final class Serializer implements CompactSerializer<AgentTask> {
    @Override
    public AgentTask read(CompactReader in) {
      return new AgentTask(Objects.requireNonNullElse(in.readString("agentId"), ""),
          Objects.requireNonNull(in.readCompact("request"), "request"));
    }

    @Override
    public void write(CompactWriter out, AgentTask t) {
      out.writeString("agentId", t.agentId);
      out.writeCompact("request", t.request);
    }

    @Override
    public String getTypeName() {
      return "vmgrid.AgentTask";
    }

    @Override
    public Class<AgentTask> getCompactClass() {
      return AgentTask.class;
    }
  }
}
