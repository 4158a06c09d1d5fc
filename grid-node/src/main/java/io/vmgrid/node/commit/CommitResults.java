package io.vmgrid.node.commit;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import io.vmgrid.client.wire.ServerState;
import org.jspecify.annotations.Nullable;

/**
 * What {@link PlaceVmProcessor} did on one server: one result per VM it was given for that server,
 * in order, and the server's state after them if they changed it or refused a VM (so that the
 * committing member can apply its own write, or catch up with the write that beat it, at once
 * instead of waiting for the map's event).
 *
 * @param results the per-VM results
 * @param state the server's state after the call, or null if it placed and refused nothing
 */
public record CommitResults(List<CommitResult> results, @Nullable ServerState state) {
  /** Copies the list. */
  public CommitResults {
    results = List.copyOf(results);
  }

  /** The only result (for a processor that carried one VM). */
  public CommitResult single() {
    if (results.size() != 1) {
      throw new IllegalStateException("expected one result, got " + results.size());
    }
    return results.get(0);
  }

  static final class Serializer implements CompactSerializer<CommitResults> {
    @Override
    public CommitResults read(CompactReader in) {
      CommitResult[] r = Objects.requireNonNull(
          in.readArrayOfCompact("results", CommitResult.class), "results");
      List<CommitResult> list = new ArrayList<>(r.length);
      for (CommitResult c : r) {
        list.add(Objects.requireNonNull(c, "results: null element"));
      }
      return new CommitResults(list, in.readCompact("state"));
    }

    @Override
    public void write(CompactWriter out, CommitResults r) {
      out.writeArrayOfCompact("results", r.results().toArray(new CommitResult[0]));
      out.writeCompact("state", r.state());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.CommitResults";
    }

    @Override
    public Class<CommitResults> getCompactClass() {
      return CommitResults.class;
    }
  }
}
