package io.vmgrid.client.wire;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Field checks shared by the client (which validates before sending) and the grid (which validates
 * again, because it never trusts a client). Every message starts with the field name.
 */
public final class Checks {
  /** Longest accepted identifier (VM, tenant, request, server ids). */
  public static final int MAX_ID_LENGTH = 128;
  /**
   * Largest accepted core count of one VM; larger values are treated as malformed input. Generous
   * because trace units are arbitrary (the Azure packing samples use up to 4,800 per VM).
   */
  public static final int MAX_CORES = 100_000;
  /** Largest accepted memory of one VM, in MiB (64 TiB). */
  public static final long MAX_MEMORY_MB = 64L * 1024 * 1024;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:\\-]*");

  private Checks() {}

  /** Returns the problem with identifier {@code value} of field {@code field}, or null if it is valid. */
  public static @Nullable String idProblem(String field, @Nullable String value) {
    if (value == null || value.isEmpty()) {
      return field + ": is required";
    }
    if (value.length() > MAX_ID_LENGTH) {
      return field + ": longer than " + MAX_ID_LENGTH + " characters (" + value.length() + ")";
    }
    if (!ID.matcher(value).matches()) {
      return field + ": '" + abbreviate(value) + "' may contain only letters, digits and . _ : -"
          + " and must start with a letter or digit";
    }
    return null;
  }

  /** Like {@link #idProblem} but an empty (or null) value means "none" and is valid. */
  public static @Nullable String optionalIdProblem(String field, @Nullable String value) {
    return value == null || value.isEmpty() ? null : idProblem(field, value);
  }

  /** Returns the problem with a core demand, or null if it is valid. */
  public static @Nullable String coresProblem(long cores) {
    if (cores <= 0) {
      return "cores: must be > 0 (was " + cores + ")";
    }
    if (cores > MAX_CORES) {
      return "cores: must be <= " + MAX_CORES + " (was " + cores + ")";
    }
    return null;
  }

  /** Returns the problem with a memory demand in MiB, or null if it is valid. */
  public static @Nullable String memoryProblem(long memoryMb) {
    if (memoryMb <= 0) {
      return "memoryMb: must be > 0 (was " + memoryMb + ")";
    }
    if (memoryMb > MAX_MEMORY_MB) {
      return "memoryMb: must be <= " + MAX_MEMORY_MB + " (was " + memoryMb + ")";
    }
    return null;
  }

  /** Returns the problem with a priority name, or null if it is valid. */
  public static @Nullable String priorityProblem(@Nullable String priority) {
    if (priority == null || priority.isEmpty()) {
      return "priority: is required";
    }
    if (!priority.equals("REGULAR") && !priority.equals("LOW")) {
      return "priority: must be REGULAR or LOW (was '" + abbreviate(priority) + "')";
    }
    return null;
  }

  private static String abbreviate(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "...";
  }
}
