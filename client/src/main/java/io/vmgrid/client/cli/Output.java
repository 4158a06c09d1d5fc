package io.vmgrid.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.Map;

/** Prints a command's result as text for people or as one JSON document for machines. */
final class Output {
  /** Exit code when the command ran but the grid said no (rejected, unknown VM or server). */
  static final int NOT_DONE = 3;

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Output() {}

  /** Prints {@code value} as JSON if {@code json}, else {@code text}. */
  static void print(PrintWriter out, boolean json, Map<String, ?> value, String text) {
    if (json) {
      try {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot render JSON: " + e.getMessage(), e);
      }
    } else {
      out.println(text);
    }
    out.flush();
  }

  /** Prints {@code value} as one line of JSON (a stream of records, {@code --follow}). */
  static void printLine(PrintWriter out, Map<String, ?> value) {
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON: " + e.getMessage(), e);
    }
    out.flush();
  }
}
