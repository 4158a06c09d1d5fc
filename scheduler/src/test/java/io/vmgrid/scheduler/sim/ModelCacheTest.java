package io.vmgrid.scheduler.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModelCacheTest {

  @Test
  void staysWithinBudgetAndNeverEvictsPinnedRuleEntries() {
    ModelCache c = new ModelCache(10_000, Long.MAX_VALUE / 4);
    SplittableRandom rnd = new SplittableRandom(1);
    for (int i = 0; i < 5_000; i++) {
      long type = rnd.nextInt(200);
      if (c.hasTop(type)) {
        continue;
      }
      ModelCache.Entry[] rules = new ModelCache.Entry[2];
      for (int r = 0; r < 2; r++) {
        long key = r * 1000L + type % (r == 0 ? 7 : 31);
        ModelCache.Entry e = c.rule(key);
        rules[r] = e != null ? e : c.addRule(key, 500, i, 0);
      }
      c.addTop(type, 1_000, rules, i, 0);
      assertThat(c.bytes()).isLessThanOrEqualTo(10_000);
      for (ModelCache.Entry r : rules) {
        assertThat(c.hasRule(r.key)).isTrue();
      }
    }
  }

  @Test
  void ageEvictionEmptiesAnIdleCache() {
    ModelCache c = new ModelCache(1 << 20, 100);
    ModelCache.Entry r = c.addRule(1, 10, 0, 0);
    c.addTop(2, 20, new ModelCache.Entry[] {r}, 0, 0);
    c.addTop(3, 20, new ModelCache.Entry[] {r}, 50, 0);
    c.expire(120);
    assertThat(c.hasTop(2)).isFalse();
    assertThat(c.hasTop(3)).isTrue();
    assertThat(c.hasRule(1)).isTrue();
    c.expire(1_000);
    assertThat(c.size()).isZero();
    assertThat(c.bytes()).isZero();
  }

  @Test
  void keyCountsAgreeWithAHashMap() {
    KeyCounts k = new KeyCounts();
    Map<Long, Integer> m = new HashMap<>();
    SplittableRandom rnd = new SplittableRandom(9);
    for (int i = 0; i < 100_000; i++) {
      long key = rnd.nextInt(300) * 0x9E3779B97F4A7C15L;
      if (rnd.nextBoolean() || !m.containsKey(key)) {
        k.increment(key);
        m.merge(key, 1, Integer::sum);
      } else {
        k.decrement(key);
        m.compute(key, (kk, v) -> v == 1 ? null : v - 1);
      }
      long probe = rnd.nextInt(300) * 0x9E3779B97F4A7C15L;
      assertThat(k.get(probe)).isEqualTo(m.getOrDefault(probe, 0));
    }
    assertThat(k.size()).isEqualTo(m.size());
  }
}
