package io.vmgrid.rules.trace;

import io.vmgrid.rules.api.Constraints;
import io.vmgrid.rules.api.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Attaches synthetic constraints to trace requests (the trace has none), deterministically from a
 * seed and the VM id, so the same request always gets the same constraints whatever the order.
 *
 * <p>Exactly how: {@code rng = new SplittableRandom(seed ^ (vmId.hashCode() * 0x9E3779B97F4A7C15L))};
 * then five draws {@code u = rng.nextDouble()} in this order, each followed by its own extra draws
 * only when it hits:
 * <ol>
 *   <li>{@code u < availabilitySet}: availability set {@code as-<tenant>-<rng.nextInt(3)>};</li>
 *   <li>{@code u < antiAffinity}: anti-affinity group {@code aa-<tenant>};</li>
 *   <li>{@code u < clusterPin}: pinned to {@code clusters[floorMod(tenant.hashCode(), n)]} (a
 *       tenant's pinned VMs share one cluster);</li>
 *   <li>{@code u < machineTypes}: allowed machine types = each of {@code machineTypeIds} kept when
 *       {@code rng.nextBoolean()}, or the first one if none was kept;</li>
 *   <li>{@code u < features}: required features = {@code {features[rng.nextInt(n)]}}.</li>
 * </ol>
 *
 * @param seed the seed
 * @param availabilitySet probability of an availability set
 * @param antiAffinity probability of an anti-affinity group
 * @param clusterPin probability of a cluster pin
 * @param machineTypes probability of a machine-type restriction
 * @param features probability of a required feature
 * @param clusters cluster ids to pin to
 * @param machineTypeIds machine type ids to restrict to
 * @param featureNames features to require
 */
public record ConstraintGenerator(
    long seed,
    double availabilitySet,
    double antiAffinity,
    double clusterPin,
    double machineTypes,
    double features,
    List<String> clusters,
    List<String> machineTypeIds,
    List<String> featureNames) {

  /** Validates and copies. */
  public ConstraintGenerator {
    clusters = List.copyOf(clusters);
    machineTypeIds = List.copyOf(machineTypeIds);
    featureNames = List.copyOf(featureNames);
    if (clusterPin > 0 && clusters.isEmpty()) {
      throw new ValidationException("clusters", "needed when clusterPin > 0");
    }
    if (machineTypes > 0 && machineTypeIds.isEmpty()) {
      throw new ValidationException("machineTypeIds", "needed when machineTypes > 0");
    }
    if (features > 0 && featureNames.isEmpty()) {
      throw new ValidationException("featureNames", "needed when features > 0");
    }
  }

  /**
   * Default probabilities: availability set 0.3, anti-affinity 0.05, cluster pin 0.02, machine types
   * 0.1, features 0.05.
   */
  public static ConstraintGenerator defaults(
      long seed, List<String> clusters, List<String> machineTypeIds, List<String> featureNames) {
    return new ConstraintGenerator(seed, 0.3, 0.05, 0.02, 0.1, featureNames.isEmpty() ? 0 : 0.05,
        clusters, machineTypeIds, featureNames);
  }

  /** The constraints for VM {@code vmId} of {@code tenant}. */
  public Constraints constraintsFor(String vmId, String tenant) {
    SplittableRandom rng = new SplittableRandom(seed ^ (vmId.hashCode() * 0x9E3779B97F4A7C15L));
    String set = null;
    String group = null;
    String pin = null;
    Set<String> types = Set.of();
    Set<String> required = Set.of();
    if (rng.nextDouble() < availabilitySet) {
      set = "as-" + tenant + "-" + rng.nextInt(3);
    }
    if (rng.nextDouble() < antiAffinity) {
      group = "aa-" + tenant;
    }
    if (rng.nextDouble() < clusterPin) {
      pin = clusters.get(Math.floorMod(tenant.hashCode(), clusters.size()));
    }
    if (rng.nextDouble() < machineTypes) {
      List<String> kept = new ArrayList<>();
      for (String t : machineTypeIds) {
        if (rng.nextBoolean()) {
          kept.add(t);
        }
      }
      types = kept.isEmpty() ? Set.of(machineTypeIds.get(0)) : new TreeSet<>(kept);
    }
    if (rng.nextDouble() < features) {
      required = Set.of(featureNames.get(rng.nextInt(featureNames.size())));
    }
    return new Constraints(types, required, set, group, pin);
  }
}
