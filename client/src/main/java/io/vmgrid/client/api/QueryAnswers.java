package io.vmgrid.client.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the members' query answers (JSON in a result's message) into the client's answer types,
 * and writes query arguments.
 */
final class QueryAnswers {
  private static final ObjectMapper JSON = new ObjectMapper();

  private QueryAnswers() {}

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new GridOperationException(Reason.INTERNAL, "unreadable answer: " + e.getMessage());
    }
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  static Explanation explanation(JsonNode json) {
    List<Explanation.Validator> validators = new ArrayList<>();
    for (JsonNode v : json.path("validators")) {
      validators.add(new Explanation.Validator(v.path("rule").asText(), v.path("level").asText(),
          v.path("failed").asInt(), v.path("removed").asInt(), v.path("sampleReason").asText("")));
    }
    List<Explanation.Candidate> top = new ArrayList<>();
    for (JsonNode c : json.path("top")) {
      Map<String, Double> scores = new LinkedHashMap<>();
      c.path("scores").properties().forEach(e -> scores.put(e.getKey(), e.getValue().asDouble()));
      top.add(new Explanation.Candidate(c.path("rank").asInt(), c.path("serverId").asText(), scores));
    }
    List<String> evict = new ArrayList<>();
    json.path("wouldEvict").forEach(n -> evict.add(n.asText()));
    return new Explanation(json.path("servers").asInt(), json.path("passing").asInt(), validators,
        top, json.path("preemptServerId").asText(""), evict); // absent from older members: none
  }

  static ConsolidationProposal consolidation(JsonNode json) {
    List<ConsolidationProposal.Move> moves = new ArrayList<>();
    for (JsonNode m : json.path("moves")) {
      moves.add(new ConsolidationProposal.Move(m.path("vmId").asText(), m.path("from").asText(),
          m.path("to").asText(), m.path("cores").asLong(), m.path("memory").asLong()));
    }
    List<String> emptied = new ArrayList<>();
    json.path("emptiedServers").forEach(n -> emptied.add(n.asText()));
    return new ConsolidationProposal(templateIds(json), moves, emptied,
        json.path("usableCoresGained").asLong(), json.path("strandedCoresBefore").asLong(),
        json.path("strandedCoresAfter").asLong(), json.path("densityBefore").asDouble(),
        json.path("densityAfter").asDouble());
  }

  static WhatIfOutcome whatIf(JsonNode json) {
    List<TemplateHeadroom> before = templates(json, "headroom");
    List<WhatIfOutcome.Delta> deltas = new ArrayList<>();
    int i = 0;
    for (JsonNode t : json.path("templates")) {
      CapacityHeadroom after = headroom(t.path("after"));
      JsonNode evicting = t.path("afterWithEvictions"); // absent: none reported (older member)
      deltas.add(new WhatIfOutcome.Delta(before.get(i++), after,
          evicting.isMissingNode() ? after : headroom(evicting)));
    }
    List<String> notes = new ArrayList<>();
    json.path("notes").forEach(n -> notes.add(n.asText()));
    return new WhatIfOutcome(deltas, json.path("densityBefore").asDouble(),
        json.path("densityAfter").asDouble(), json.path("evacuated").asInt(),
        json.path("evacuationFailures").asInt(), notes);
  }

  static FragmentationSummary fragmentation(JsonNode json) {
    List<FragmentationSummary.Server> stranded = new ArrayList<>();
    for (JsonNode s : json.path("stranded")) {
      stranded.add(new FragmentationSummary.Server(s.path("serverId").asText(),
          s.path("clusterId").asText(), s.path("freeCores").asLong(),
          s.path("freeMemoryMb").asLong()));
    }
    return new FragmentationSummary(templateIds(json), json.path("freeCores").asLong(),
        json.path("usableCores").asLong(), json.path("strandedServers").asInt(),
        json.path("strandedServerCores").asLong(), stranded);
  }

  static List<ClusterUsage> clusters(JsonNode json) {
    List<ClusterUsage> out = new ArrayList<>();
    for (JsonNode c : json.path("clusters")) {
      out.add(new ClusterUsage(c.path("clusterId").asText(), c.path("servers").asInt(),
          c.path("placeableServers").asInt(), c.path("cores").asLong(),
          c.path("usedCores").asLong(), c.path("memoryMb").asLong(),
          c.path("usedMemoryMb").asLong(), c.path("limit").asDouble(1.0)));
    }
    return out;
  }

  private static List<String> templateIds(JsonNode json) {
    List<String> ids = new ArrayList<>();
    json.path("templates").forEach(t -> ids.add(t.path("id").asText()));
    return ids;
  }

  static List<TemplateHeadroom> templates(JsonNode json, String field) {
    List<TemplateHeadroom> out = new ArrayList<>();
    for (JsonNode t : json.path("templates")) {
      CapacityHeadroom h = headroom(t.path(field));
      JsonNode evicting = t.path(field + "WithEvictions"); // absent: none reported (older member)
      out.add(new TemplateHeadroom(t.path("id").asText(), t.path("cores").asLong(),
          t.path("memoryMb").asLong(), t.path("lowPriority").asBoolean(),
          t.path("placedNow").asLong(), h, evicting.isMissingNode() ? h : headroom(evicting)));
    }
    return out;
  }

  static CapacityHeadroom headroom(JsonNode json) {
    Map<String, Long> perCluster = new LinkedHashMap<>();
    json.path("perCluster").properties().forEach(e -> perCluster.put(e.getKey(), e.getValue().asLong()));
    return new CapacityHeadroom(json.path("total").asLong(), perCluster,
        json.path("capped").asBoolean(), json.path("densityWhenFull").asDouble());
  }

  /** The what-if changes as the member reads them. */
  static List<Map<String, Object>> changes(List<WhatIfChange> changes) {
    List<Map<String, Object>> wire = new ArrayList<>();
    for (WhatIfChange c : changes) {
      Map<String, Object> m = new LinkedHashMap<>();
      if (c instanceof WhatIfChange.ChangeUtilizationLimit x) {
        m.put("kind", "limit-change");
        m.put("delta", x.delta());
      } else if (c instanceof WhatIfChange.SetUtilizationLimit x) {
        m.put("kind", "limit");
        m.put("limit", x.limit());
        m.put("lowPriorityLimit", x.lowPriorityLimit());
      } else if (c instanceof WhatIfChange.Drain x) {
        m.put("kind", "drain");
        m.put("serverIds", x.serverIds());
        m.put("evacuate", x.evacuate());
      } else if (c instanceof WhatIfChange.AddServers x) {
        m.put("kind", "add-servers");
        m.put("cluster", x.cluster());
        m.put("machineType", x.machineType());
        m.put("count", x.count());
      } else if (c instanceof WhatIfChange.UseRuleSet x) {
        m.put("kind", "rule-set");
        m.put("text", x.text());
        m.put("source", x.source());
      }
      wire.add(m);
    }
    return wire;
  }
}
