package io.vmgrid.store;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON form of the stored entries: a record's components by name (its own fields, not its
 * derived accessors), read back through its canonical constructor, which validates it. Every
 * component must be present and not null (a row missing one is refused, not filled with nulls or
 * zeros); fields a later version added are ignored by an earlier one, and a version that adds a
 * component migrates the rows (see {@link Store#SCHEMA_VERSION}).
 */
final class Documents {
  private static final ObjectMapper JSON = new ObjectMapper()
      .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
      .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
      .setVisibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .configure(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, true)
      .configure(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES, true);

  private Documents() {}

  static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new StoreException("cannot write " + value.getClass().getSimpleName() + " as JSON: "
          + Store.firstLine(e), e);
    }
  }

  static <V> V read(String doc, Class<V> type) throws JsonProcessingException {
    return JSON.readValue(doc, type);
  }
}
