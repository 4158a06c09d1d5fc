package io.vmgrid.node.commit;

import com.hazelcast.query.Predicate;
import com.hazelcast.query.impl.QueryableEntry;
import io.vmgrid.client.wire.ServerState;
import java.util.Map;

/**
 * Commits whose new server state the committing member sends to the other members' views itself,
 * so that the {@code servers} map does not send them as entry events.
 *
 * <p>Why: an entry event of an updated entry carries the old value as well as the new one (Hazelcast
 * has no option for the new value alone), and the partition thread serializes both, once per event
 * and again for each member it goes to. A server's state holds its VMs and its remembered releases,
 * and every member's view needs only the new one. The {@link Committer} receives the new states in
 * its commits' answers anyway: it publishes them, a group's at once, in one message.
 *
 * <p>How: a {@link PlaceVmProcessor} sent by the committer marks the state it writes, by identity,
 * for the partition thread it runs on; the map's update listener of every view filters with {@link
 * #UNMARKED}, which Hazelcast evaluates on the same thread right after the processor, against the
 * same object, before it serializes anything. A marked state is not sent; every other update is:
 * the filter can only ever hide the state the thread's last announcing commit wrote, and it reads the
 * value only when the partition holds it as an object (never deserializes), else lets it through.
 * Additions, removals and merges go to a listener without this filter.
 */
public final class Announced {
  /** The state the current partition thread's last announcing commit wrote. */
  private static final ThreadLocal<Object> LAST = new ThreadLocal<>();

  /** The update filter of the views' listeners: true (send the event) unless the state is marked. */
  public static final Predicate<Object, Object> UNMARKED = new Unmarked();

  private Announced() {}

  /** Marks {@code state}, just written by an announcing commit on this thread. */
  static void mark(ServerState state) {
    LAST.set(state);
  }

  /** Whether {@code value} is the state this thread's last announcing commit wrote. */
  static boolean marked(Object value) {
    return value == LAST.get();
  }

  /**
   * The filter. Hazelcast sends it to every member with the listener's registration, also inside
   * the operation that joins a member, which reads it before it has any Compact schema: so Java
   * serialization (a stateless {@code io.vmgrid} class, which the deserialization filter allows).
   */
  static final class Unmarked implements Predicate<Object, Object> {
    private static final long serialVersionUID = 1L;

    private Object readResolve() {
      return UNMARKED;
    }

    @Override
    public boolean apply(Map.Entry<Object, Object> entry) {
      // the object the partition holds, if it holds one: never deserialized here
      Object value = entry instanceof QueryableEntry<?, ?> q ? q.getValueIfPresent() : null;
      return value == null || !marked(value);
    }
  }
}
