package io.vmgrid.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded H2 file database, and its settings. */
class EmbeddedStoreTest extends StoreContract {
  @TempDir Path dir;
  private int next;

  @Override
  StoreSettings fresh() {
    return StoreSettings.embedded(dir.resolve("db" + next++));
  }

  @Test
  void settingsNameTheFieldThatIsWrong() {
    assertThatThrownBy(() -> StoreSettings.of("jdbc:mysql://h/db", "", "",
        StoreSettings.Mode.WRITE_THROUGH, 0)).hasMessageContaining("is not a jdbc:postgresql: URL");
    assertThatThrownBy(() -> StoreSettings.of("jdbc:postgresql://h/db", "", "",
        StoreSettings.Mode.WRITE_BEHIND, 0)).hasMessageContaining("store write delay: 0 s");
    assertThatThrownBy(() -> StoreSettings.Mode.parse("sometimes"))
        .hasMessageContaining("store mode: 'sometimes'");
    assertThat(StoreSettings.Mode.parse("write-behind")).isEqualTo(StoreSettings.Mode.WRITE_BEHIND);
    StoreSettings s = StoreSettings.of("jdbc:postgresql://h:5432/db?password=secret", "u", "pw",
        StoreSettings.Mode.WRITE_BEHIND, 2);
    assertThat(s.toString()).doesNotContain("secret").doesNotContain("pw")
        .contains("jdbc:postgresql://h:5432/db");
  }
}
