package io.vmgrid.client.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientSettingsTest {

  @Test
  void environmentOverridesDefaults() {
    ClientSettings s =
        ClientSettings.fromEnvironment(Map.of("VMGRID_CLUSTER", "zone-a",
            "VMGRID_ADDRESSES", "10.0.0.1:5701, 10.0.0.2:5701", "VMGRID_TIMEOUT_MS", "2500"));

    assertThat(s.clusterName()).isEqualTo("zone-a");
    assertThat(s.addresses()).containsExactly("10.0.0.1:5701", "10.0.0.2:5701");
    assertThat(s.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
  }

  @Test
  void emptyEnvironmentGivesDefaults() {
    ClientSettings s = ClientSettings.fromEnvironment(Map.of());

    assertThat(s.clusterName()).isEqualTo(ClientSettings.DEFAULT_CLUSTER);
    assertThat(s.addresses()).containsExactly(ClientSettings.DEFAULT_ADDRESS);
    assertThat(s.requestTimeout()).isEqualTo(ClientSettings.DEFAULT_TIMEOUT);
  }

  @Test
  void badValuesNameTheirSource() {
    assertThatThrownBy(() -> ClientSettings.fromEnvironment(Map.of("VMGRID_TIMEOUT_MS", "soon")))
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("VMGRID_TIMEOUT_MS:");
    assertThatThrownBy(() -> new ClientSettings("x", List.of(), Duration.ofSeconds(1)))
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("addresses:");
    assertThatThrownBy(() -> new ClientSettings("x", List.of("h:1"), Duration.ZERO))
        .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("requestTimeout:");
  }
}
