package io.vmgrid.scheduler.jet;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.Arrays;
import java.util.Objects;

/**
 * One agent's Kamino indicators as its member publishes them to the other members: its queue
 * (length, the running sum of the routers' stored estimates, the type and rule keys of what is
 * queued), the request in progress (since when, with which estimate), and a summary of its cache
 * (fingerprints of the request types and rule keys it holds). Times are epoch nanoseconds,
 * comparable across members as far as their clocks agree. Immutable; the key arrays are sorted.
 *
 * @param agentId the agent
 * @param member UUID of the member the agent runs on
 * @param version increases with every change the agent publishes
 * @param publishedAtNanos when it was published (epoch nanoseconds)
 * @param queueLength requests queued, the one in progress excluded
 * @param queueTimeNanos sum of the estimates stored with the queued requests
 * @param busySinceNanos start of the request in progress (epoch nanoseconds), 0 when idle
 * @param estimateAtStartNanos the stored estimate of the request in progress
 * @param cachedTypes sorted fingerprints of the request types the agent's cache holds
 * @param cachedRules sorted fingerprints of the rule keys the agent's cache holds
 * @param queuedTypes sorted fingerprints of the queued and in-progress requests' types (repeats count)
 * @param queuedRules sorted fingerprints of the queued and in-progress requests' rule keys
 */
// the key arrays are copied and sorted on construction and never exposed for writing by this
// project's code: a record keeps the Compact mapping and the map's value short
@SuppressWarnings("ArrayRecordComponent")
public record AgentLoad(String agentId, String member, long version, long publishedAtNanos,
    int queueLength, long queueTimeNanos, long busySinceNanos, long estimateAtStartNanos,
    long[] cachedTypes, long[] cachedRules, long[] queuedTypes, long[] queuedRules)
    implements io.vmgrid.scheduler.api.AgentIndicators {

  /** Validates and defensively sorts. */
  public AgentLoad {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(member, "member");
    cachedTypes = sorted(cachedTypes);
    cachedRules = sorted(cachedRules);
    queuedTypes = sorted(queuedTypes);
    queuedRules = sorted(queuedRules);
  }

  /** Now in epoch nanoseconds, the clock of every time in the indicators (compared across members). */
  public static long nowNanos() {
    return EPOCH_OFFSET_NANOS + System.nanoTime();
  }

  /**
   * The wall clock at start minus the monotonic clock: {@link #nowNanos()} is then monotonic and
   * allocation-free, and agrees with the wall clock as far as it did when this class loaded.
   */
  private static final long EPOCH_OFFSET_NANOS = epochOffset();

  private static long epochOffset() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
  }

  /** An idle agent with an empty cache. */
  public static AgentLoad idle(String agentId, String member) {
    return new AgentLoad(agentId, member, 0, 0, 0, 0, 0, 0, new long[0], new long[0], new long[0],
        new long[0]);
  }

  private static long[] sorted(long[] keys) {
    long[] copy = keys.clone();
    Arrays.sort(copy);
    return copy;
  }

  /** Whether a request is in progress. */
  @Override
  public boolean busy() {
    return busySinceNanos != 0;
  }

  /** How many queued or in-progress requests have type {@code typeKey}. */
  @Override
  public int queuedOfType(long typeKey) {
    int i = Arrays.binarySearch(queuedTypes, typeKey);
    if (i < 0) {
      return 0;
    }
    int lo = i;
    int hi = i;
    while (lo > 0 && queuedTypes[lo - 1] == typeKey) {
      lo--;
    }
    while (hi < queuedTypes.length - 1 && queuedTypes[hi + 1] == typeKey) {
      hi++;
    }
    return hi - lo + 1;
  }

  /** Whether the cache, or a queued or in-progress request, brings type {@code typeKey}. */
  @Override
  public boolean augmentedHasType(long typeKey) {
    return Arrays.binarySearch(cachedTypes, typeKey) >= 0
        || Arrays.binarySearch(queuedTypes, typeKey) >= 0;
  }

  /** Whether the cache, or a queued or in-progress request, brings rule key {@code ruleKey}. */
  @Override
  public boolean augmentedHasRule(long ruleKey) {
    return Arrays.binarySearch(cachedRules, ruleKey) >= 0
        || Arrays.binarySearch(queuedRules, ruleKey) >= 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AgentLoad l && l.agentId.equals(agentId) && l.version == version
        && l.member.equals(member) && l.publishedAtNanos == publishedAtNanos;
  }

  @Override
  public int hashCode() {
    return agentId.hashCode() * 31 + Long.hashCode(version);
  }

  @Override
  public String toString() {
    return "AgentLoad[" + agentId + " v" + version + " queue=" + queueLength + " queueTime="
        + queueTimeNanos + " busy=" + busy() + " types=" + cachedTypes.length + "]";
  }

  /** Registers the Compact serializer of this package's grid types. */
  public static SerializationConfig register(SerializationConfig config) {
    config.getCompactSerializationConfig().addSerializer(new Serializer());
    return config;
  }

  /** Compact serializer. */
  static final class Serializer implements CompactSerializer<AgentLoad> {
    @Override
    public AgentLoad read(CompactReader in) {
      return new AgentLoad(Objects.requireNonNullElse(in.readString("agentId"), ""),
          Objects.requireNonNullElse(in.readString("member"), ""), in.readInt64("version"),
          in.readInt64("publishedAt"), in.readInt32("queueLength"), in.readInt64("queueTime"),
          in.readInt64("busySince"), in.readInt64("estimateAtStart"), arr(in, "cachedTypes"),
          arr(in, "cachedRules"), arr(in, "queuedTypes"), arr(in, "queuedRules"));
    }

    private static long[] arr(CompactReader in, String field) {
      long[] a = in.readArrayOfInt64(field);
      return a == null ? new long[0] : a;
    }

    @Override
    public void write(CompactWriter out, AgentLoad l) {
      out.writeString("agentId", l.agentId());
      out.writeString("member", l.member());
      out.writeInt64("version", l.version());
      out.writeInt64("publishedAt", l.publishedAtNanos());
      out.writeInt32("queueLength", l.queueLength());
      out.writeInt64("queueTime", l.queueTimeNanos());
      out.writeInt64("busySince", l.busySinceNanos());
      out.writeInt64("estimateAtStart", l.estimateAtStartNanos());
      out.writeArrayOfInt64("cachedTypes", l.cachedTypes());
      out.writeArrayOfInt64("cachedRules", l.cachedRules());
      out.writeArrayOfInt64("queuedTypes", l.queuedTypes());
      out.writeArrayOfInt64("queuedRules", l.queuedRules());
    }

    @Override
    public String getTypeName() {
      return "vmgrid.AgentLoad";
    }

    @Override
    public Class<AgentLoad> getCompactClass() {
      return AgentLoad.class;
    }
  }
}
