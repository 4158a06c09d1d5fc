package io.vmgrid.scheduler.api;

import java.nio.charset.StandardCharsets;

/** Fingerprints of classifier keys: 64-bit FNV-1a over UTF-8 followed by a 64-bit finalizer. */
public final class Keys {
  private Keys() {}

  /** The fingerprint of a canonical key string (a request-type key or a rule key). */
  public static long fingerprint(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** A strong 64-bit mixer (the SplitMix64 finalizer), used for hashing fingerprints further. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
