package io.vmgrid.client.wire;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.vmgrid.client.api.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The answers to the requests of one {@link GridTask}, in the task's order.
 *
 * @param results one result per request
 */
public record GridResults(List<GridResult> results) {
  /** Copies the list. */
  public GridResults {
    results = List.copyOf(results);
  }

  /** {@link Reason#UNAVAILABLE} for every request: nothing was done, send them elsewhere. */
  public static GridResults unavailable(List<GridRequest> requests, String message) {
    List<GridResult> out = new ArrayList<>(requests.size());
    for (GridRequest r : requests) {
      out.add(GridResult.refused(r, GridResult.Status.FAILED, Reason.UNAVAILABLE, message));
    }
    return new GridResults(out);
  }

  static final class Serializer implements CompactSerializer<GridResults> {
    @Override
    public GridResults read(CompactReader in) {
      GridResult[] results = in.readArrayOfCompact("results", GridResult.class);
      List<GridResult> list = new ArrayList<>(results == null ? 0 : results.length);
      if (results != null) {
        for (GridResult r : results) {
          list.add(Objects.requireNonNull(r, "results: null element"));
        }
      }
      return new GridResults(list);
    }

    @Override
    public void write(CompactWriter out, GridResults r) {
      out.writeArrayOfCompact("results", r.results().toArray(new GridResult[0]));
    }

    @Override
    public String getTypeName() {
      return "vmgrid.GridResults";
    }

    @Override
    public Class<GridResults> getCompactClass() {
      return GridResults.class;
    }
  }
}
