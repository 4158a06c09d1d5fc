package io.vmgrid.client.wire;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * Carries requests from a client to one member and their results back: the whole request path's
 * transport is this one invocation. Sent with {@code IExecutorService.submitToMember} (or
 * {@code submitToKeyOwner}) on {@link #INTAKE_EXECUTOR} for allocations, releases and moves, and on
 * {@link #QUERY_EXECUTOR} for read-only queries, so that queries never occupy the threads that
 * carry allocations. On the member it hands the requests to the {@link GridEndpoint} in the
 * member's user context; a member without one (still starting, or leaving) answers every request
 * {@code UNAVAILABLE}, and nothing was done.
 *
 * <p>Compact-serialized, like every wire type: a client ships data, never code of its own.
 */
public final class GridTask implements Callable<GridResults>, HazelcastInstanceAware {
  /** The executor that carries allocations, releases and moves on each member. */
  public static final String INTAKE_EXECUTOR = "vmgrid-intake";
  /** The executor that answers queries (explain, capacity, what-if, ...) on each member. */
  public static final String QUERY_EXECUTOR = "vmgrid-query";

  private final List<GridRequest> requests;
  private @Nullable HazelcastInstance member;

  /** A task carrying {@code requests}. */
  public GridTask(List<GridRequest> requests) {
    this.requests = List.copyOf(requests);
  }

  /** The requests carried. */
  public List<GridRequest> requests() {
    return requests;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance instance) {
    this.member = instance;
  }

  @Override
  public GridResults call() {
    HazelcastInstance hz = Objects.requireNonNull(member, "hazelcast instance not injected");
    if (hz.getUserContext().get(GridEndpoint.CONTEXT_KEY) instanceof GridEndpoint endpoint) {
      return endpoint.handle(requests);
    }
    return GridResults.unavailable(requests, "member " + hz.getCluster().getLocalMember()
        + " does not serve requests now (starting or leaving): nothing was done");
  }

  static final class Serializer implements CompactSerializer<GridTask> {
    @Override
    public GridTask read(CompactReader in) {
      GridRequest[] requests = in.readArrayOfCompact("requests", GridRequest.class);
      List<GridRequest> list = new ArrayList<>(requests == null ? 0 : requests.length);
      if (requests != null) {
        for (GridRequest r : requests) {
          list.add(Objects.requireNonNull(r, "requests: null element"));
        }
      }
      return new GridTask(list);
    }

    @Override
    public void write(CompactWriter out, GridTask t) {
      out.writeArrayOfCompact("requests", t.requests.toArray(new GridRequest[0]));
    }

    @Override
    public String getTypeName() {
      return "vmgrid.GridTask";
    }

    @Override
    public Class<GridTask> getCompactClass() {
      return GridTask.class;
    }
  }
}
