package io.vmgrid.client.wire.query;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One what-if change as it travels in {@link QueryArguments}: its kind and the fields that kind
 * uses (the others are left at their zero values). One flat record rather than a type per kind, so
 * that a member meeting a kind it does not know (a newer client's) reads the request and answers
 * with the field it cannot use. Not validated here: the member checks it against its inventory.
 *
 * @param kind what to change; null when a writer sent a kind this version does not know
 * @param delta {@link Kind#LIMIT_CHANGE}: how much to move every utilization limit
 * @param limit {@link Kind#LIMIT}: the limit for regular VMs
 * @param lowPriorityLimit {@link Kind#LIMIT}: the limit for low-priority VMs
 * @param serverIds {@link Kind#DRAIN}: the servers to take out of service
 * @param evacuate {@link Kind#DRAIN}: whether to re-place their VMs
 * @param cluster {@link Kind#ADD_SERVERS}: the cluster to add servers to
 * @param machineType {@link Kind#ADD_SERVERS}: their machine type (empty: none)
 * @param count {@link Kind#ADD_SERVERS}: how many
 * @param text {@link Kind#RULE_SET}: the rule-set file's content
 * @param source {@link Kind#RULE_SET}: its name in error messages
 */
public record WhatIfStep(@Nullable Kind kind, double delta, double limit, double lowPriorityLimit,
    List<String> serverIds, boolean evacuate, String cluster, String machineType, int count,
    String text, String source) {
  /** Copies the list. */
  public WhatIfStep {
    serverIds = List.copyOf(serverIds);
  }

  /** The kinds of change. */
  public enum Kind {
    /** Move every cluster utilization limit by {@code delta}. */
    LIMIT_CHANGE,
    /** Set the utilization limits. */
    LIMIT,
    /** Take servers out of service. */
    DRAIN,
    /** Add servers of a known machine type. */
    ADD_SERVERS,
    /** Use another rule set. */
    RULE_SET
  }

  /** Moves every utilization limit by {@code delta}. */
  public static WhatIfStep limitChange(double delta) {
    return new WhatIfStep(Kind.LIMIT_CHANGE, delta, 0, 0, List.of(), false, "", "", 0, "", "");
  }

  /** Sets the utilization limits. */
  public static WhatIfStep limit(double limit, double lowPriorityLimit) {
    return new WhatIfStep(Kind.LIMIT, 0, limit, lowPriorityLimit, List.of(), false, "", "", 0, "",
        "");
  }

  /** Takes {@code serverIds} out of service, re-placing their VMs with {@code evacuate}. */
  public static WhatIfStep drain(List<String> serverIds, boolean evacuate) {
    return new WhatIfStep(Kind.DRAIN, 0, 0, 0, serverIds, evacuate, "", "", 0, "", "");
  }

  /** Adds {@code count} servers of {@code machineType} to {@code cluster}. */
  public static WhatIfStep addServers(String cluster, String machineType, int count) {
    return new WhatIfStep(Kind.ADD_SERVERS, 0, 0, 0, List.of(), false, cluster, machineType, count,
        "", "");
  }

  /** Uses the rule set {@code text} (named {@code source} in errors). */
  public static WhatIfStep ruleSet(String text, String source) {
    return new WhatIfStep(Kind.RULE_SET, 0, 0, 0, List.of(), false, "", "", 0, text, source);
  }

  static final class Serializer implements CompactSerializer<WhatIfStep> {
    @Override
    public WhatIfStep read(CompactReader in) {
      return new WhatIfStep(kind(in.readString("kind")), in.readFloat64("delta"),
          in.readFloat64("limit"), in.readFloat64("lowPriorityLimit"),
          Fields.strings(in, "serverIds"), in.readBoolean("evacuate"),
          Fields.string(in, "cluster"), Fields.string(in, "machineType"), in.readInt32("count"),
          Fields.string(in, "text"), Fields.string(in, "source"));
    }

    private static @Nullable Kind kind(@Nullable String name) {
      for (Kind k : Kind.values()) {
        if (k.name().equals(name)) {
          return k;
        }
      }
      return null;
    }

    @Override
    public void write(CompactWriter out, WhatIfStep s) {
      Kind kind = s.kind();
      out.writeString("kind", kind == null ? null : kind.name());
      out.writeFloat64("delta", s.delta());
      out.writeFloat64("limit", s.limit());
      out.writeFloat64("lowPriorityLimit", s.lowPriorityLimit());
      Fields.strings(out, "serverIds", s.serverIds());
      out.writeBoolean("evacuate", s.evacuate());
      out.writeString("cluster", s.cluster());
      out.writeString("machineType", s.machineType());
      out.writeInt32("count", s.count());
      out.writeString("text", s.text());
      out.writeString("source", s.source());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.WhatIfStep";
    }

    @Override
    public Class<WhatIfStep> getCompactClass() {
      return WhatIfStep.class;
    }
  }
}
