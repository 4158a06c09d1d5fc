package io.vmgrid.scheduler.api;

import java.util.Arrays;

/**
 * A request as the scheduler sees it: an id, its request-type key, and one key per rule it is
 * evaluated by.
 *
 * <p>Keys are 64-bit fingerprints of the classifier's canonical strings (see {@link Keys}), so that
 * indicators can carry cheap key summaries. Rule {@code i} of the request has a rule id (the index of
 * the rule's name in the rule catalogue the {@link LatencyEstimates} use) and a rule key (rule name
 * plus the values of the traits it depends on). Immutable.
 */
public final class ClassifiedRequest {
  private final long id;
  private final long typeKey;
  private final int[] ruleIds;
  private final long[] ruleKeys;

  /**
   * A classified request.
   *
   * @param id the request id
   * @param typeKey fingerprint of the request type
   * @param ruleIds per rule of the request, its index in the rule catalogue
   * @param ruleKeys per rule of the request, the fingerprint of its rule key
   */
  public ClassifiedRequest(long id, long typeKey, int[] ruleIds, long[] ruleKeys) {
    if (ruleIds.length != ruleKeys.length) {
      throw new IllegalArgumentException(
          "ruleIds and ruleKeys differ in length: " + ruleIds.length + " vs " + ruleKeys.length);
    }
    this.id = id;
    this.typeKey = typeKey;
    this.ruleIds = ruleIds.clone();
    this.ruleKeys = ruleKeys.clone();
  }

  private ClassifiedRequest(long id, ClassifiedRequest shape) {
    this.id = id;
    this.typeKey = shape.typeKey;
    this.ruleIds = shape.ruleIds;
    this.ruleKeys = shape.ruleKeys;
  }

  /** The same type and rule keys under another request id (shares the immutable key arrays). */
  public ClassifiedRequest withId(long newId) {
    return new ClassifiedRequest(newId, this);
  }

  /** The request id. */
  public long id() {
    return id;
  }

  /** Fingerprint of the request type (the key of the top-level cache entry). */
  public long typeKey() {
    return typeKey;
  }

  /** How many rules the request is evaluated by. */
  public int ruleCount() {
    return ruleIds.length;
  }

  /** The catalogue index of the request's {@code i}-th rule. */
  public int ruleId(int i) {
    return ruleIds[i];
  }

  /** Fingerprint of the request's {@code i}-th rule key (the key of a lower-level cache entry). */
  public long ruleKey(int i) {
    return ruleKeys[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClassifiedRequest r
        && r.id == id
        && r.typeKey == typeKey
        && Arrays.equals(r.ruleIds, ruleIds)
        && Arrays.equals(r.ruleKeys, ruleKeys);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id) * 31 + Long.hashCode(typeKey);
  }

  @Override
  public String toString() {
    return "ClassifiedRequest[id=" + id + ", type=" + Long.toHexString(typeKey) + ", rules="
        + ruleIds.length + "]";
  }
}
