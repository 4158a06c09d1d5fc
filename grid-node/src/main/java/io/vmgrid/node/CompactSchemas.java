package io.vmgrid.node;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import io.vmgrid.client.wire.WireSerialization;
import io.vmgrid.node.agent.AgentSerialization;
import io.vmgrid.node.commit.CommitSerialization;
import io.vmgrid.node.intake.IntakeSerialization;
import io.vmgrid.node.recovery.Reconciler;
import io.vmgrid.node.routing.RoutingSerialization;
import java.util.ArrayList;
import java.util.List;

/**
 * Serializes one instance of every vmgrid Compact type when a member starts, so that each type's
 * schema is known cluster-wide before any member joins.
 *
 * <p>Why: a member serializing a Compact class for the first time blocks the serializing thread
 * until the schema has been replicated to every member. A single member never serializes its
 * entry processors (its invocations are local), so the first time it does is when partitions
 * have just moved to a joining member, on whichever thread sends the operation. In a scale-out
 * test that thread was Hazelcast's invocation monitor (retrying an entry processor), and the
 * schema replication to the member still starting waited about a minute: every operation retry
 * on the old member stalled with it, and requests timed out. Once the schemas are replicated
 * (here, at start) a joining member receives them with its join and nothing blocks.
 */
public final class CompactSchemas {
  private CompactSchemas() {}

  /** One instance of every Compact type a member sends. */
  public static List<Object> samples() {
    List<Object> out = new ArrayList<>(WireSerialization.schemaSamples());
    out.addAll(CommitSerialization.schemaSamples());
    out.addAll(AgentSerialization.schemaSamples());
    out.addAll(Reconciler.schemaSamples());
    out.addAll(RoutingSerialization.schemaSamples());
    out.addAll(IntakeSerialization.schemaSamples());
    return out;
  }

  /** Serializes every sample on {@code member} (registering and replicating their schemas). */
  public static void register(HazelcastInstance member) {
    if (member instanceof SerializationServiceSupport s) {
      SerializationService ss = s.getSerializationService();
      for (Object sample : samples()) {
        ss.toData(sample);
      }
    }
  }
}
