package io.vmgrid.client.wire.query;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.List;

/**
 * What a capacity query asks beyond its shape, as it travels in a {@link
 * io.vmgrid.client.wire.GridRequest}. Not validated here: the member that answers checks each
 * field and names the one it cannot use.
 *
 * @param inDemand for a query without a shape, how many of the most common shapes to report; {@link
 *     #NOT_GIVEN} for the member's default (a query with a shape must leave it so)
 * @param maxServers for fragmentation, most stranded servers to list; {@link #NOT_GIVEN} for the
 *     member's default
 * @param changes for what-if, the changes in order; empty otherwise
 */
public record QueryArguments(int inDemand, int maxServers, List<WhatIfStep> changes) {
  /** The value of {@code inDemand} and {@code maxServers} that leaves the choice to the member. */
  public static final int NOT_GIVEN = -1;

  /** Arguments that give nothing: the member's defaults, no changes. */
  public QueryArguments() {
    this(NOT_GIVEN, NOT_GIVEN, List.of());
  }

  /** Copies the list. */
  public QueryArguments {
    changes = List.copyOf(changes);
  }

  static final class Serializer implements CompactSerializer<QueryArguments> {
    @Override
    public QueryArguments read(CompactReader in) {
      return new QueryArguments(in.readInt32("inDemand"), in.readInt32("maxServers"),
          Fields.list(in, "changes", WhatIfStep.class));
    }

    @Override
    public void write(CompactWriter out, QueryArguments a) {
      out.writeInt32("inDemand", a.inDemand());
      out.writeInt32("maxServers", a.maxServers());
      out.writeArrayOfCompact("changes", a.changes().toArray(new WhatIfStep[0]));
    }

    @Override
    public String getTypeName() {
      return "vmgrid.query.QueryArguments";
    }

    @Override
    public Class<QueryArguments> getCompactClass() {
      return QueryArguments.class;
    }
  }
}
