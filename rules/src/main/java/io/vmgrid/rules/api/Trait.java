package io.vmgrid.rules.api;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A feature of a request that a rule's result may depend on. A rule's cache key is its name plus the
 * values of the traits it declares; the request type is the values of the traits of the rules whose
 * results are cached.
 *
 * <p>Traits that are {@link #perRequest() per request} (the tenant, the availability set, the
 * anti-affinity group, the cluster pin) take a new value for nearly every deployment, so a key containing one almost
 * never repeats. A rule that declares one is not cached: the engine applies it per request, as an
 * overlay on the cached result of the other rules (see {@code RequestClassifier}).
 */
public enum Trait {
  VM_TYPE,
  CORES,
  MEMORY,
  SSD,
  PRIORITY,
  TENANT,
  MACHINE_TYPES,
  FEATURES,
  AVAILABILITY_SET,
  ANTI_AFFINITY_GROUP,
  CLUSTER_PIN;

  /**
   * Whether this trait's values rarely repeat across requests: the tenant, the availability set, the
   * anti-affinity group, and the cluster pin (one of many clusters, and a cluster-level rule, which
   * the overlay applies per cluster, not per server). Rules depending on one are applied per request
   * instead of cached.
   */
  public boolean perRequest() {
    return this == TENANT || this == AVAILABILITY_SET || this == ANTI_AFFINITY_GROUP
        || this == CLUSTER_PIN;
  }

  /** The trait that carries the demand for {@code r}. */
  public static Trait of(Resource r) {
    return switch (r) {
      case CORES -> CORES;
      case MEMORY -> MEMORY;
      case SSD -> SSD;
    };
  }

  /** This trait's value in {@code request}, as a canonical string ({@code "-"} when absent). */
  public String valueOf(VmRequest request) {
    Constraints c = request.constraints();
    return switch (this) {
      case VM_TYPE -> orDash(request.vmType());
      case CORES -> Long.toString(request.demand().cores());
      case MEMORY -> Long.toString(request.demand().memory());
      case SSD -> Long.toString(request.demand().ssd());
      case PRIORITY -> request.priority().name();
      case TENANT -> request.tenant();
      case MACHINE_TYPES -> join(c.machineTypes());
      case FEATURES -> join(c.features());
      case AVAILABILITY_SET -> orDash(c.availabilitySet());
      case ANTI_AFFINITY_GROUP -> orDash(c.antiAffinityGroup());
      case CLUSTER_PIN -> orDash(c.clusterPin());
    };
  }

  private static String orDash(@Nullable String s) {
    return s == null ? "-" : s;
  }

  private static String join(java.util.Set<String> values) {
    if (values.isEmpty()) {
      return "-";
    }
    List<String> sorted = values.stream().sorted().toList();
    return String.join("+", sorted);
  }
}
