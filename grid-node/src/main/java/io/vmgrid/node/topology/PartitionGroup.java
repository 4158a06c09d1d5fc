package io.vmgrid.node.topology;

import com.hazelcast.config.Config;
import com.hazelcast.config.PartitionGroupConfig.MemberGroupType;
import com.hazelcast.spi.partitiongroup.PartitionGroupMetaData;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a member's partition replicas are spread over, and this member's name there: members
 * (Hazelcast's default), the Kubernetes nodes (machines) they run on, or the zones.
 *
 * <p>With {@code node} or {@code zone} every member carries its node or zone name as the member
 * attribute Hazelcast's {@code NODE_AWARE} or {@code ZONE_AWARE} grouping reads
 * ({@link PartitionGroupMetaData}), and Hazelcast keeps a partition's primary and each backup in
 * different groups. With fewer groups than replicas it keeps fewer backups than configured
 * ({@link RedundancyWatch} says so). Every member of a cluster must use the same kind: Hazelcast
 * refuses a member with another at join.
 *
 * @param kind what the groups are
 * @param name this member's node or zone name; empty for {@link Kind#NONE}
 */
public record PartitionGroup(Kind kind, String name) {
  /** The environment variable naming the Kubernetes node (machine) a member runs on. */
  public static final String NODE_NAME_VARIABLE = "VMGRID_NODE_NAME";
  /** The environment variable naming a member's zone, which wins over the Kubernetes lookup. */
  public static final String ZONE_VARIABLE = "VMGRID_ZONE";
  /** Longest name: a Kubernetes node name is a DNS subdomain of at most 253 characters. */
  private static final int MAX_NAME = 253;

  /** What the groups are. */
  public enum Kind {
    /** One group per member (Hazelcast's default): a primary and its backup may share a machine. */
    NONE,
    /** One group per Kubernetes node or machine: losing one loses no partition. */
    NODE,
    /** One group per zone: losing a zone loses no partition. */
    ZONE;

    /** The member attribute Hazelcast's grouping of this kind reads, or null for {@link #NONE}. */
    public @Nullable String attribute() {
      return switch (this) {
        case NONE -> null;
        case NODE -> PartitionGroupMetaData.PARTITION_GROUP_NODE;
        case ZONE -> PartitionGroupMetaData.PARTITION_GROUP_ZONE;
      };
    }

    /** The kind as the node file and the command line spell it. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code none}, {@code node} or {@code zone}; {@code where} names the key or flag. */
    public static Kind parse(String where, String text) {
      for (Kind kind : values()) {
        if (kind.key().equals(text)) {
          return kind;
        }
      }
      throw new IllegalArgumentException(where + ": must be none, node or zone (was '" + text + "')");
    }
  }

  /** Checks that a grouped member has a usable name and an ungrouped one none. */
  public PartitionGroup {
    if (kind == Kind.NONE && !name.isEmpty()) {
      throw new IllegalArgumentException("partitionGroup none: takes no name (was '" + name + "')");
    }
    if (kind != Kind.NONE && (name.isBlank() || name.length() > MAX_NAME
        || name.chars().anyMatch(Character::isWhitespace))) {
      throw new IllegalArgumentException("partitionGroup " + kind.key() + ": '" + name
          + "' is not a " + kind.key() + " name (1 to " + MAX_NAME + " characters, no spaces)");
    }
  }

  /** No grouping: Hazelcast's default, one group per member. */
  public static PartitionGroup none() {
    return new PartitionGroup(Kind.NONE, "");
  }

  /**
   * This member's group of {@code kind}, its name taken from the environment {@code env}:
   * {@code VMGRID_NODE_NAME} for grouping by node (the chart sets it to the pod's
   * {@code spec.nodeName}); for grouping by zone {@code VMGRID_ZONE} if set, else the zone of the
   * Kubernetes node {@code VMGRID_NODE_NAME} names, asked of {@code zones}.
   *
   * @throws IllegalArgumentException if a variable it needs is not set
   * @throws IllegalStateException if {@code zones} cannot tell the zone
   */
  public static PartitionGroup resolve(Kind kind, Map<String, String> env, ZoneLookup zones) {
    String node = env.getOrDefault(NODE_NAME_VARIABLE, "").strip();
    return switch (kind) {
      case NONE -> none();
      case NODE -> {
        if (node.isEmpty()) {
          throw new IllegalArgumentException("partitionGroup node: the environment variable "
              + NODE_NAME_VARIABLE + " is not set; it names the machine this member runs on (the"
              + " chart sets it from the pod's spec.nodeName)");
        }
        yield new PartitionGroup(Kind.NODE, node);
      }
      case ZONE -> {
        String zone = env.getOrDefault(ZONE_VARIABLE, "").strip();
        if (!zone.isEmpty()) {
          yield new PartitionGroup(Kind.ZONE, zone);
        }
        if (node.isEmpty()) {
          throw new IllegalArgumentException("partitionGroup zone: set " + ZONE_VARIABLE
              + " to this member's zone, or " + NODE_NAME_VARIABLE + " to its Kubernetes node,"
              + " whose topology.kubernetes.io/zone label is read with the pod's service account");
        }
        yield new PartitionGroup(Kind.ZONE, zones.zoneOf(node));
      }
    };
  }

  /** The member attribute Hazelcast's grouping reads, or null for {@link Kind#NONE}. */
  public @Nullable String attribute() {
    return kind.attribute();
  }

  /** The attribute and this member's name in it; empty for {@link Kind#NONE}. */
  public Map<String, String> metadata() {
    String attribute = attribute();
    return attribute == null ? Map.of() : Map.of(attribute, name);
  }

  /**
   * Puts this member's name in its attribute and turns on the matching grouping in {@code config};
   * {@link Kind#NONE} leaves it as it is. Returns {@code config}.
   */
  public Config applyTo(Config config) {
    String attribute = attribute();
    if (attribute == null) {
      return config;
    }
    config.getMemberAttributeConfig().setAttribute(attribute, name);
    config.getPartitionGroupConfig().setEnabled(true)
        .setGroupType(kind == Kind.NODE ? MemberGroupType.NODE_AWARE : MemberGroupType.ZONE_AWARE);
    return config;
  }

  @Override
  public String toString() {
    return kind == Kind.NONE ? "none" : kind.key() + " '" + name + "'";
  }
}
