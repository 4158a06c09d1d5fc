package io.vmgrid.client.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientSettingsTest {

  @Test
  void environmentOverridesDefaults() {
    ClientSettings s =
        ClientSettings.fromEnvironment(Map.of("VMGRID_CLUSTER", "zone-a",
            "VMGRID_ADDRESSES", "10.0.0.1:5701, 10.0.0.2:5701", "VMGRID_TIMEOUT_MS", "2500",
            "VMGRID_CONNECT_TIMEOUT_MS", "1500"));

    assertThat(s.clusterName()).isEqualTo("zone-a");
    assertThat(s.addresses()).containsExactly("10.0.0.1:5701", "10.0.0.2:5701");
    assertThat(s.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void emptyEnvironmentGivesDefaults() {
    ClientSettings s = ClientSettings.fromEnvironment(Map.of());

    assertThat(s.clusterName()).isEqualTo(ClientSettings.DEFAULT_CLUSTER);
    assertThat(s.addresses()).containsExactly(ClientSettings.DEFAULT_ADDRESS);
    assertThat(s.requestTimeout()).isEqualTo(ClientSettings.DEFAULT_TIMEOUT);
    assertThat(s.connectTimeout()).isEqualTo(ClientSettings.DEFAULT_CONNECT_TIMEOUT);
  }

  @Test
  void emptyVariablesCountAsUnset() {
    ClientSettings s = ClientSettings.fromEnvironment(Map.of("VMGRID_ADDRESSES", "",
        "VMGRID_CLUSTER", " ", "VMGRID_TIMEOUT_MS", "", "VMGRID_CONNECT_TIMEOUT_MS", ""));

    assertThat(s).isEqualTo(ClientSettings.fromEnvironment(Map.of()));
  }

  @Test
  void badValuesNameTheirSource() {
    assertThatThrownBy(() -> ClientSettings.fromEnvironment(Map.of("VMGRID_TIMEOUT_MS", "soon")))
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("VMGRID_TIMEOUT_MS:");
    assertThatThrownBy(() -> ClientSettings.fromEnvironment(
        Map.of("VMGRID_CONNECT_TIMEOUT_MS", "-5")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("VMGRID_CONNECT_TIMEOUT_MS: '-5' is not a positive number");
    assertThatThrownBy(() -> ClientSettings.fromEnvironment(
        Map.of("VMGRID_ADDRESSES", "notahost:abc")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("VMGRID_ADDRESSES: 'notahost:abc' is not HOST:PORT");
    assertThatThrownBy(() -> new ClientSettings("x", List.of(), Duration.ofSeconds(1)))
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("addresses:");
    assertThatThrownBy(() -> new ClientSettings("x", List.of("h:1"), Duration.ZERO))
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("requestTimeout:");
    assertThatThrownBy(() -> new ClientSettings("x", List.of("h:1"), Duration.ofSeconds(1),
        Duration.ZERO))
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("connectTimeout:");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:5701", "member-0.vmgrid:5701", "localhost", "[::1]:5701",
      "[fe80::1]", "fe80::1", "h:65535"})
  void acceptsMemberAddresses(String address) {
    assertThat(ClientSettings.addressProblem("--address", address)).isNull();
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource(delimiter = '|', value = {
    "notahost:abc  | the port must be a number",
    "h:0           | the port must be a number",
    "h:65536       | the port must be a number",
    "h:            | the port must be a number",
    ":5701         | no host",
    "[::1]x        | is not HOST:PORT",
  })
  void refusesOthersNamingTheFlag(String address, String problem) {
    assertThat(ClientSettings.addressProblem("--address", address))
        .startsWith("--address: '" + address + "' is not HOST:PORT").contains(problem);
  }
}
