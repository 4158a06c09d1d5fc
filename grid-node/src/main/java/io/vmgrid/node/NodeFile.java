package io.vmgrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vmgrid.node.topology.PartitionGroup;
import io.vmgrid.store.StoreSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The node configuration file ({@code vmgrid node --config node.yaml}); every key is optional and
 * command-line flags override it:
 *
 * <pre>
 * clusterName: vmgrid
 * bindAddress: 127.0.0.1
 * port: 5701
 * metricsPort: 9401
 * workers: 4
 * quorum: 2               # fewest members a split side needs to place or release
 * heartbeatTimeoutSeconds: 15   # a member silent this long is dropped (5..300, default 15)
 * partitionGroup: node    # spread replicas over: none (members; default), node or zone
 * scheduler: kamino-request   # routing policy of the scheduler job, or direct
 * jetThreads: 1           # Jet cooperative threads (the scheduler job), 1..256, 0 one per core (default)
 * rules: /etc/vmgrid/rules.yaml
 * preemption:             # overrides the rule set's preemption block
 *   enabled: true         # regular requests may evict low-priority VMs when nothing else fits
 *   maxVictims: 8         # the most VMs one request may evict, 1..64
 * discovery:
 *   mode: tcp-ip            # or kubernetes
 *   members: [10.0.0.2]     # tcp-ip
 *   serviceDns: vmgrid-hs.ns.svc.cluster.local   # kubernetes (headless service)
 * store:                    # the placement store; absent: memory only
 *   url: jdbc:postgresql://db:5432/vmgrid   # a database every member names, or
 *   data: /var/lib/vmgrid   # an embedded file (one member only); give one of url and data
 *   user: vmgrid            # url only; the password comes from env VMGRID_STORE_PASSWORD, never this file
 *   mode: write-behind      # url only: write-through (default) or write-behind
 *   delaySeconds: 1         # write-behind only, 1 to 300 (default 1)
 * </pre>
 *
 * Every problem is reported with the file and the key, all at once. The store keys follow the
 * rules of the {@code --store} flags. The names {@code partitionGroup} groups by come from the
 * environment ({@link PartitionGroup#resolve}), since one file serves every member.
 *
 * @param clusterName cluster name, or null if not set
 * @param bindAddress interface to bind, or null
 * @param port member port, or null
 * @param metricsPort HTTP port, or null
 * @param workers request threads, or null
 * @param quorum split-brain quorum, or null
 * @param heartbeatTimeoutSeconds seconds without a heartbeat before a member is dropped, or null
 * @param partitionGroup what partition replicas are spread over, or null
 * @param rules rule-set file, or null
 * @param members tcp-ip members, or null
 * @param kubernetesDns headless-service DNS name, or null
 * @param scheduler routing policy of the scheduler job ({@code direct}: none), or null
 * @param jetThreads Jet cooperative threads (the scheduler job's), or null for the default (one per
 *     core)
 * @param store the {@code store} section, or null for none
 * @param preemption the {@code preemption} section, or null for the rule set's own policy
 */
public record NodeFile(
    @Nullable String clusterName,
    @Nullable String bindAddress,
    @Nullable Integer port,
    @Nullable Integer metricsPort,
    @Nullable Integer workers,
    @Nullable Integer quorum,
    @Nullable Integer heartbeatTimeoutSeconds,
    PartitionGroup.@Nullable Kind partitionGroup,
    @Nullable Path rules,
    @Nullable List<String> members,
    @Nullable String kubernetesDns,
    @Nullable String scheduler,
    @Nullable Integer jetThreads,
    @Nullable StoreKeys store,
    @Nullable PreemptionKeys preemption) {

  private static final Set<String> TOP =
      Set.of("clusterName", "bindAddress", "port", "metricsPort", "workers", "quorum",
          "heartbeatTimeoutSeconds", "partitionGroup", "rules", "discovery", "scheduler",
          "jetThreads", "store", "preemption");
  private static final Set<String> PREEMPTION = Set.of("enabled", "maxVictims");
  private static final Set<String> DISCOVERY = Set.of("mode", "members", "serviceDns");
  private static final Set<String> STORE = Set.of("url", "data", "user", "mode", "delaySeconds");
  /** The store keys that apply to a database ({@code url}) only. */
  private static final List<String> DATABASE_KEYS = List.of("user", "mode", "delaySeconds");
  /** A password among a JDBC URL's parameters. */
  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("[?&;]password=", Pattern.CASE_INSENSITIVE);
  /** What an unknown key was probably meant for, by its full name. */
  private static final Map<String, String> HINTS = Map.of("store.password",
      "the password is never read from the file: set the environment variable"
          + " VMGRID_STORE_PASSWORD (on Kubernetes from a Secret, the chart's store.existingSecret)");

  /**
   * The file's {@code store} section, checked as the {@code --store} flags are: exactly one of
   * {@code url} and {@code data}; {@code user}, {@code mode} and {@code delaySeconds} only with
   * {@code url}; {@code delaySeconds} only with write-behind.
   *
   * @param url {@code jdbc:postgresql://} URL of a database every member names, or null
   * @param data directory of the embedded database file (one member only), or null
   * @param user database user, or null
   * @param mode how changes reach the database, or null for the default (write-through)
   * @param delaySeconds write-behind's delay, or null for the default (1)
   */
  public record StoreKeys(@Nullable String url, @Nullable Path data, @Nullable String user,
      StoreSettings.@Nullable Mode mode, @Nullable Integer delaySeconds) {}

  /**
   * The file's {@code preemption} section: what it sets of the rule set's preemption policy.
   *
   * @param enabled whether regular requests may evict low-priority VMs, or null for the rule set's
   * @param maxVictims the most VMs one request may evict (1..64), or null for the rule set's
   */
  public record PreemptionKeys(@Nullable Boolean enabled, @Nullable Integer maxVictims) {}

  /** An empty file: nothing set. */
  public static NodeFile empty() {
    return new NodeFile(null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null);
  }

  /** Reads and checks {@code file}; throws {@link IllegalArgumentException} listing every problem. */
  public static NodeFile read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--config: " + file + " does not exist or is not a file");
    }
    return parse(Files.readString(file), file.toString());
  }

  /** Parses YAML text; {@code source} names it in messages. */
  public static NodeFile parse(String text, String source) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return empty();
    }
    List<String> problems = new ArrayList<>();
    if (!root.isObject()) {
      throw new IllegalArgumentException(source + ": expected a mapping of keys to values");
    }
    unknownKeys(root, TOP, "", problems);
    String cluster = text(root, "", "clusterName", problems);
    String bind = text(root, "", "bindAddress", problems);
    Integer port = integer(root, "", "port", problems);
    Integer metricsPort = integer(root, "", "metricsPort", problems);
    Integer workers = integer(root, "", "workers", problems);
    Integer quorum = integer(root, "", "quorum", problems);
    Integer heartbeat = integer(root, "", "heartbeatTimeoutSeconds", problems);
    String groupText = text(root, "", "partitionGroup", problems);
    PartitionGroup.Kind group = null;
    if (groupText != null) {
      try {
        group = PartitionGroup.Kind.parse("partitionGroup", groupText);
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    String rules = text(root, "", "rules", problems);
    String scheduler = text(root, "", "scheduler", problems);
    Integer jetThreads = integer(root, "", "jetThreads", problems);
    if (jetThreads != null && (jetThreads < 0 || jetThreads > 256)) {
      problems.add("jetThreads: must be 0 (one per core) or 1..256 (was " + jetThreads + ")");
    }
    if (scheduler != null) {
      try {
        io.vmgrid.node.routing.Scheduling.validatePolicy("scheduler", scheduler);
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    List<String> members = null;
    String dns = null;
    JsonNode discovery = root.get("discovery");
    if (discovery != null && !discovery.isNull()) {
      if (!discovery.isObject()) {
        problems.add("discovery: expected a mapping (mode, members, serviceDns)");
      } else {
        unknownKeys(discovery, DISCOVERY, "discovery.", problems);
        String mode = text(discovery, "discovery.", "mode", problems);
        String modeName = mode == null ? "tcp-ip" : mode;
        JsonNode list = discovery.get("members");
        if (list != null && !list.isNull()) {
          if (!list.isArray()) {
            problems.add("discovery.members: expected a list of host or host:port");
          } else {
            members = new ArrayList<>();
            for (JsonNode m : list) {
              members.add(m.asText());
            }
          }
        }
        dns = text(discovery, "discovery.", "serviceDns", problems);
        switch (modeName) {
          case "tcp-ip" -> {
            if (dns != null) {
              problems.add("discovery.serviceDns: only for mode kubernetes");
            }
          }
          case "kubernetes" -> {
            if (dns == null || dns.isBlank()) {
              problems.add("discovery.serviceDns: required for mode kubernetes");
            }
            if (members != null && !members.isEmpty()) {
              problems.add("discovery.members: only for mode tcp-ip");
            }
          }
          default -> problems.add("discovery.mode: must be tcp-ip or kubernetes (was '" + modeName + "')");
        }
      }
    }
    StoreKeys store = store(root.get("store"), problems);
    PreemptionKeys preemption = preemption(root.get("preemption"), problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(source + ": " + String.join("; ", problems));
    }
    return new NodeFile(cluster, bind, port, metricsPort, workers, quorum, heartbeat, group,
        rules == null ? null : Path.of(rules),
        members, dns, scheduler, jetThreads, store, preemption);
  }

  /** The {@code preemption} section, or null if absent; its problems go to {@code problems}. */
  private static @Nullable PreemptionKeys preemption(@Nullable JsonNode node,
      List<String> problems) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      problems.add("preemption: expected a mapping (enabled, maxVictims)");
      return null;
    }
    unknownKeys(node, PREEMPTION, "preemption.", problems);
    Boolean enabled = null;
    JsonNode on = node.get("enabled");
    if (on != null && !on.isNull()) {
      if (on.isBoolean()) {
        enabled = on.asBoolean();
      } else {
        problems.add("preemption.enabled: expected true or false (was '" + on.asText() + "')");
      }
    }
    Integer max = integer(node, "preemption.", "maxVictims", problems);
    if (max != null && (max < 1 || max > 64)) {
      problems.add("preemption.maxVictims: must be in 1..64 (was " + max + ")");
    }
    return new PreemptionKeys(enabled, max);
  }

  /** The {@code store} section, or null if absent; its problems are added to {@code problems}. */
  private static @Nullable StoreKeys store(@Nullable JsonNode store, List<String> problems) {
    if (store == null || store.isNull()) {
      return null;
    }
    if (!store.isObject()) {
      problems.add("store: expected a mapping (url or data, user, mode, delaySeconds)");
      return null;
    }
    unknownKeys(store, STORE, "store.", problems);
    String url = text(store, "store.", "url", problems);
    String data = text(store, "store.", "data", problems);
    String user = text(store, "store.", "user", problems);
    String modeText = text(store, "store.", "mode", problems);
    Integer delay = integer(store, "store.", "delaySeconds", problems);
    Path dataDir = null;
    if (data != null) {
      if (data.isBlank()) {
        problems.add("store.data: must name a directory");
      } else {
        try {
          dataDir = Path.of(data);
        } catch (InvalidPathException e) {
          problems.add("store.data: '" + data + "' is not a path: " + e.getReason());
        }
      }
    }
    if (url != null && data != null) {
      problems.add("store.url, store.data: give one (data is one machine's file, url a database"
          + " the cluster shares)");
    }
    if (url != null && !url.startsWith("jdbc:postgresql://")) {
      problems.add("store.url: '" + url + "' is not a jdbc:postgresql://host:port/database URL");
    } else if (url != null && PASSWORD_PARAMETER.matcher(url).find()) {
      problems.add("store.url: has a password parameter; " + HINTS.get("store.password"));
    }
    StoreSettings.Mode mode = null;
    if (modeText != null) {
      try {
        mode = StoreSettings.Mode.parse(modeText);
      } catch (IllegalArgumentException e) {
        problems.add("store.mode: must be write-through or write-behind (was '" + modeText + "')");
      }
    }
    if (delay != null && (delay < 1 || delay > StoreSettings.MAX_WRITE_DELAY_SECONDS)) {
      problems.add("store.delaySeconds: must be in 1.." + StoreSettings.MAX_WRITE_DELAY_SECONDS
          + " (was " + delay + ")");
    }
    List<String> databaseKeys = DATABASE_KEYS.stream().filter(store::hasNonNull).toList();
    if (url == null && !databaseKeys.isEmpty()) {
      String why = data != null ? "applies to store.url only (data is written through)"
          : "needs store.url";
      databaseKeys.forEach(key -> problems.add("store." + key + ": " + why));
    } else if (url == null && data == null && !store.hasNonNull("url") && !store.hasNonNull("data")) {
      problems.add("store: needs url (a database) or data (an embedded file)");
    }
    if (url != null && delay != null && mode != StoreSettings.Mode.WRITE_BEHIND
        && (modeText == null || mode != null)) {
      problems.add("store.delaySeconds: applies to mode write-behind only (mode is write-through"
          + (modeText == null ? " by default" : "") + ")");
    }
    return new StoreKeys(url, dataDir, user, mode, delay);
  }

  private static void unknownKeys(JsonNode node, Set<String> known, String prefix, List<String> problems) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        String hint = HINTS.get(prefix + key);
        problems.add(prefix + key + ": unknown key (known: "
            + String.join(", ", known.stream().sorted().toList()) + ")"
            + (hint == null ? "" : "; " + hint));
      }
    }
  }

  private static @Nullable String text(JsonNode node, String prefix, String key,
      List<String> problems) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      problems.add(prefix + key + ": expected a single value");
      return null;
    }
    return v.asText();
  }

  private static @Nullable Integer integer(JsonNode node, String prefix, String key,
      List<String> problems) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      problems.add(prefix + key + ": expected a whole number (was '" + v.asText() + "')");
      return null;
    }
    return v.asInt();
  }
}
