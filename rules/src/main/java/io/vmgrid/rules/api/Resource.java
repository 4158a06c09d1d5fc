package io.vmgrid.rules.api;

import java.util.Locale;

/** A resource a server offers and a VM demands. */
public enum Resource {
  CORES(0),
  MEMORY(1),
  SSD(2);

  private final int index;

  Resource(int index) {
    this.index = index;
  }

  /** A dense index, 0..2, for array-backed storage. */
  public int index() {
    return index;
  }

  /** The lower-case name used in rule-set files ({@code cores}, {@code memory}, {@code ssd}). */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@link #id()}; throws {@link IllegalArgumentException} listing the known ids. */
  public static Resource of(String id) {
    for (Resource r : values()) {
      if (r.id().equals(id)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown resource '" + id + "', known: cores, memory, ssd");
  }
}
