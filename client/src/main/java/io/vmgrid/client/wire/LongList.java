package io.vmgrid.client.wire;

import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An immutable list of longs held in an array: {@link ServerState#released()} as it comes off the
 * wire, without a boxed {@code Long} per element. Every member deserializes a server's state on
 * each change event, and boxing its 64 remembered releases was a fifth of the event threads'
 * allocations. Equal to any list of the same {@code Long}s.
 */
final class LongList extends AbstractList<Long> implements RandomAccess {
  static final LongList EMPTY = new LongList(new long[0]);

  private final long[] values;

  private LongList(long[] values) {
    this.values = values;
  }

  /** A list over {@code values}, which the caller hands over: it is not copied, never change it. */
  static LongList wrap(long[] values) {
    return values.length == 0 ? EMPTY : new LongList(values);
  }

  /** {@code list} itself if it is a {@code LongList}, else a copy; null elements are refused. */
  static LongList copyOf(List<Long> list) {
    if (list instanceof LongList l) {
      return l;
    }
    long[] values = new long[list.size()];
    int i = 0;
    for (Long v : list) {
      values[i++] = Objects.requireNonNull(v, "null element");
    }
    return wrap(values);
  }

  /** The element at {@code index}, unboxed. */
  long getLong(int index) {
    return values[index];
  }

  /** The backing array, for writing it out; callers must not change it. */
  long[] array() {
    return values;
  }

  @Override
  public Long get(int index) {
    return values[index];
  }

  @Override
  public int size() {
    return values.length;
  }
}
