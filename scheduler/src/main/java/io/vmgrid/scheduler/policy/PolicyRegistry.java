package io.vmgrid.scheduler.policy;

import io.vmgrid.scheduler.api.SchedulingPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The routing policies by name: a name-to-factory registry. Unknown names are errors listing the known ones. */
public final class PolicyRegistry {
  private static final Map<String, Function<PolicyContext, SchedulingPolicy>> FACTORIES =
      new LinkedHashMap<>();

  static {
    FACTORIES.put("kamino-request", ctx -> new KaminoPolicy(false));
    FACTORIES.put("kamino-rule", ctx -> new KaminoPolicy(true));
    FACTORIES.put("shared-queue", ctx -> new SharedQueuePolicy());
    FACTORIES.put("random", ctx -> new RandomPolicy(ctx.seed()));
    FACTORIES.put("round-robin", ctx -> new RoundRobinPolicy());
    FACTORIES.put("hash-ws",
        ctx -> new HashWorkStealingPolicy(ctx.agents(), ctx.settings().virtualNodes()));
    FACTORIES.put("jsq", ctx -> new JsqPolicy());
    FACTORIES.put("power-of-two", ctx -> new PowerOfTwoPolicy(ctx.seed()));
    FACTORIES.put("bounded-hash", ctx -> new BoundedHashPolicy(
        ctx.agents(), ctx.settings().virtualNodes(), ctx.settings().boundedHashC()));
  }

  private PolicyRegistry() {}

  /** Every known policy name, in a stable order (Kamino first). */
  public static List<String> names() {
    return Collections.unmodifiableList(new ArrayList<>(FACTORIES.keySet()));
  }

  /** A new instance of the named policy. */
  public static SchedulingPolicy create(String name, PolicyContext context) {
    Function<PolicyContext, SchedulingPolicy> f = FACTORIES.get(name);
    if (f == null) {
      throw new IllegalArgumentException(
          "unknown policy '" + name + "'; known policies: " + String.join(", ", names()));
    }
    return f.apply(context);
  }

  /**
   * Parses a comma-separated list of policy names, or {@code all}; fails on an unknown or empty name.
   */
  public static List<String> parse(String spec) {
    if (spec.trim().equalsIgnoreCase("all")) {
      return names();
    }
    List<String> out = new ArrayList<>();
    for (String part : spec.split(",", -1)) {
      String name = part.trim();
      if (!FACTORIES.containsKey(name)) {
        throw new IllegalArgumentException(
            "unknown policy '" + name + "'; known policies: " + String.join(", ", names())
                + " (or all)");
      }
      if (!out.contains(name)) {
        out.add(name);
      }
    }
    return List.copyOf(out);
  }
}
