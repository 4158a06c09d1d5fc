package io.vmgrid.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmgrid.client.api.ClientSettings;
import io.vmgrid.client.api.InvalidRequestException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The connection options: flags first, then non-empty environment variables, then defaults. */
class ConnectionTest {

  private static Connection parse(String... args) {
    Connection c = new Connection();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  void flagsWinOverTheEnvironment() {
    ClientSettings s = parse("--address", "10.0.0.9:5701", "--cluster-name", "zone-b",
        "--timeout-ms", "700", "--connect-timeout-ms", "900")
        .settings(Map.of("VMGRID_ADDRESSES", "10.0.0.1:5701", "VMGRID_CLUSTER", "zone-a",
            "VMGRID_TIMEOUT_MS", "bad", "VMGRID_CONNECT_TIMEOUT_MS", "bad"));

    assertThat(s.addresses()).containsExactly("10.0.0.9:5701");
    assertThat(s.clusterName()).isEqualTo("zone-b");
    assertThat(s.requestTimeout()).isEqualTo(Duration.ofMillis(700));
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(900));
  }

  @Test
  void anEmptyVariableNeitherOverridesAFlagNorFails() {
    ClientSettings s = parse("--address", "10.0.0.9:5701")
        .settings(Map.of("VMGRID_ADDRESSES", "", "VMGRID_CLUSTER", ""));

    assertThat(s.addresses()).containsExactly("10.0.0.9:5701");
    assertThat(s.clusterName()).isEqualTo(ClientSettings.DEFAULT_CLUSTER);
    assertThat(parse().settings(Map.of("VMGRID_ADDRESSES", "")).addresses())
        .containsExactly(ClientSettings.DEFAULT_ADDRESS);
  }

  @Test
  void theEnvironmentFillsWhatTheFlagsLeaveOpen() {
    ClientSettings s = parse().settings(Map.of("VMGRID_ADDRESSES", "a:1,b:2",
        "VMGRID_CONNECT_TIMEOUT_MS", "1234"));

    assertThat(s.addresses()).containsExactly("a:1", "b:2");
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(1234));
    assertThat(parse("--address", "a:1,b:2", "--address", "c:3").settings(Map.of()).addresses())
        .containsExactly("a:1", "b:2", "c:3");
  }

  @Test
  void aBadValueNamesTheFlagOrVariableItCameFrom() {
    assertThatThrownBy(() -> parse("--address", "notahost:abc").settings(Map.of()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("--address: 'notahost:abc' is not HOST:PORT");
    assertThatThrownBy(() -> parse().settings(Map.of("VMGRID_ADDRESSES", "h:99999")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("VMGRID_ADDRESSES: 'h:99999' is not HOST:PORT");
    assertThatThrownBy(() -> parse("--timeout-ms", "0").settings(Map.of()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("--timeout-ms: must be > 0 (was 0)");
    assertThatThrownBy(() -> parse().settings(Map.of("VMGRID_CONNECT_TIMEOUT_MS", "soon")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("VMGRID_CONNECT_TIMEOUT_MS:");
  }
}
