package io.vmgrid.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Renders the chart in {@code vmgrid/} with the real Helm library and parses the manifests. */
final class Chart {

  /** The chart directory (tests run with the module directory as working directory). */
  static final Path DIR = Path.of("vmgrid");
  static final String RELEASE = "vm";
  static final String NAMESPACE = "demo";
  static final String FULLNAME = "vm-vmgrid";
  static final YAMLMapper YAML = new YAMLMapper();

  private Chart() {}

  /** {@code helm template vm vmgrid -n demo --set k=v ... [-f valuesFile]}. */
  static Rendered template(Map<String, String> sets, Path... valuesFiles) {
    TemplateCommand command = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE);
    for (Map.Entry<String, String> e : sets.entrySet()) {
      command = command.set(e.getKey(), e.getValue());
    }
    for (Path file : valuesFiles) {
      command = command.withValuesFile(file);
    }
    return Rendered.parse(command.call());
  }

  static Rendered template() {
    return template(Map.of());
  }

  /** A values file with {@code yaml} as content. */
  static Path valuesFile(Path dir, String yaml) {
    try {
      Path file = Files.createTempFile(dir, "values-", ".yaml");
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses YAML text into a tree. */
  static JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The manifests of one rendering. */
  record Rendered(String text, List<JsonNode> docs) {

    static Rendered parse(String text) {
      List<JsonNode> docs = new ArrayList<>();
      try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
        while (it.hasNextValue()) {
          JsonNode doc = it.nextValue();
          if (doc != null && doc.isObject() && doc.has("kind")) {
            docs.add(doc);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Rendered(text, List.copyOf(docs));
    }

    List<String> kinds() {
      return docs.stream().map(d -> d.path("kind").asText()).sorted().toList();
    }

    List<JsonNode> all(String kind) {
      return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    /** The one object of {@code kind} named {@code name}; fails if absent. */
    JsonNode get(String kind, String name) {
      return docs.stream()
          .filter(d -> d.path("kind").asText().equals(kind))
          .filter(d -> d.path("metadata").path("name").asText().equals(name))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + kinds()));
    }

    boolean has(String kind) {
      return !all(kind).isEmpty();
    }

    JsonNode statefulSet() {
      return get("StatefulSet", FULLNAME);
    }

    JsonNode podSpec() {
      return statefulSet().path("spec").path("template").path("spec");
    }

    JsonNode container() {
      return podSpec().path("containers").path(0);
    }

    JsonNode configMap() {
      return get("ConfigMap", FULLNAME + "-config");
    }

    /** node.yaml from the ConfigMap, parsed. */
    JsonNode nodeYaml() {
      return yaml(configMap().path("data").path("node.yaml").asText());
    }

    String checksum() {
      return statefulSet().path("spec").path("template").path("metadata").path("annotations")
          .path("checksum/config").asText();
    }

    /** The value of environment variable {@code name} of the node container. */
    JsonNode env(String name) {
      for (JsonNode e : container().path("env")) {
        if (e.path("name").asText().equals(name)) {
          return e;
        }
      }
      throw new AssertionError("no env " + name + " in " + container().path("env"));
    }
  }
}
