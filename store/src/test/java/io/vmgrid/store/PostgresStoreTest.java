package io.vmgrid.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract on a real PostgreSQL server started for the test. */
class PostgresStoreTest extends StoreContract {
  private static PostgresServer pg;
  private static int next;

  @BeforeAll
  static void startServer() throws Exception {
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Override
  StoreSettings fresh() throws Exception {
    return StoreSettings.of(pg.newDatabase("vmgrid_contract_" + next++), "postgres", "",
        StoreSettings.Mode.WRITE_THROUGH, 0);
  }

  @Test
  void anUnreachableDatabaseIsOneLineNamingItWithinSeconds() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + closed + "/vmgrid";
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> Store.open(StoreSettings.of(url, "postgres", "",
        StoreSettings.Mode.WRITE_THROUGH, 0))).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("store " + url + ": cannot connect:")
        .hasMessageNotContaining("\n");
    assertThat((System.nanoTime() - t0) / 1e9).as("seconds to fail")
        .isLessThan(Store.CONNECT_TIMEOUT_SECONDS * 3);
    assertThatThrownBy(() -> Store.open(StoreSettings.of(pg.url("no_such_db"), "postgres", "",
        StoreSettings.Mode.WRITE_THROUGH, 0))).isInstanceOf(StoreException.class)
        .hasMessageContaining("no_such_db");
  }
}
