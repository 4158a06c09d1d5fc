package io.vmgrid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.CompactSerializationConfigAccessor;
import com.hazelcast.config.Config;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CompactSchemasTest {

  @Test
  @SuppressWarnings("rawtypes") // Hazelcast's registration map is typed with raw Class and serializer
  void thereIsASampleOfEveryCompactTypeAMemberRegisters() {
    Config config = GridNode.applyGridConfig(new Config());
    Set<Class<?>> registered = new HashSet<>();
    CompactSerializationConfigAccessor
        .getRegistrations(config.getSerializationConfig().getCompactSerializationConfig())
        .values().forEach(t -> registered.add(t.element1));
    Set<Class<?>> sampled = new HashSet<>();
    CompactSchemas.samples().forEach(s -> sampled.add(s.getClass()));
    assertThat(registered).as("Compact types registered by a member").hasSizeGreaterThan(15);
    assertThat(sampled).as("a new Compact type needs a sample in its package's schemaSamples()")
        .containsAll(registered);
  }
}
