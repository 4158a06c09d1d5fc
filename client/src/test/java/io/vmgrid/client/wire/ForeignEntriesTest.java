package io.vmgrid.client.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastJsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The one check every map reader makes: own entries pass, foreign ones are counted and logged once. */
class ForeignEntriesTest {
  private static final ServerState SERVER = ServerState.empty("srv-1", "c0", 16, 65_536);

  @Test
  void ownEntriesPassAndAreNotCounted() {
    ForeignEntries foreign = new ForeignEntries();
    assertThat(foreign.value("servers", "srv-1", SERVER, ServerState.class)).isSameAs(SERVER);
    assertThat(foreign.value("servers", "srv-1", SERVER, ServerState.class, ServerState::serverId))
        .isSameAs(SERVER);
    assertThat(foreign.value("servers", "srv-2", null, ServerState.class))
        .as("no entry is not a foreign entry").isNull();
    assertThat(foreign.ownKey("servers", "srv-1", SERVER)).isTrue();
    assertThat(foreign.count("servers")).isZero();
  }

  @Test
  void wrongKeysAndValuesAreSkippedCountedPerMapAndLoggedOncePerMap() {
    ForeignEntries foreign = new ForeignEntries();
    List<LogRecord> logged = new ArrayList<>();
    Logger log = Logger.getLogger(ForeignEntries.class.getName());
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        logged.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    log.addHandler(handler);
    try {
      List<Object> values = List.of("text", 42, "{\"serverId\":\"srv-1\"}",
          new HazelcastJsonValue("{\"serverId\":\"srv-1\"}"), SERVER);
      for (Object v : values.subList(0, 4)) {
        assertThat(foreign.value("servers", "k", v, ServerState.class)).isNull();
      }
      assertThat(foreign.value("servers", 7, SERVER, ServerState.class)).as("Integer key").isNull();
      assertThat(foreign.value("servers", 8L, SERVER, ServerState.class)).as("Long key").isNull();
      assertThat(foreign.value("servers", "srv-9", SERVER, ServerState.class, ServerState::serverId))
          .as("a server's state under another server's id").isNull();
      assertThat(foreign.ownKey("placements", 9, "x")).isFalse();
      foreign.skip("placements", "k", "acme.Thing");

      assertThat(foreign.count("servers")).isEqualTo(7);
      assertThat(foreign.count("placements")).isEqualTo(2);
      assertThat(foreign.count("repairs")).isZero();
      assertThat(logged).as("one WARNING per map").hasSize(2)
          .allSatisfy(r -> assertThat(r.getLevel()).isEqualTo(Level.WARNING));
      assertThat(logged.get(0).getMessage()).contains("'servers'", "key 'k'", "java.lang.String");
      assertThat(logged.get(1).getMessage()).contains("'placements'", "key '9'", "java.lang.String");
    } finally {
      log.removeHandler(handler);
    }
  }
}
