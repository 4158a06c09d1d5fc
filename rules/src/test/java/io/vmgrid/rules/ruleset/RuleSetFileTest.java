package io.vmgrid.rules.ruleset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmgrid.rules.api.Level;
import io.vmgrid.rules.api.Rule;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rule-set files: the shipped default, both formats, and errors that name their place. */
class RuleSetFileTest {
  private static final RuleRegistry REGISTRY = RuleRegistry.builtin();

  @Test
  void defaultRuleSetHasEveryBuiltinKindInOrder() {
    RuleSet rules = RuleSet.defaults();
    assertThat(rules.combination()).isEqualTo(RuleSet.Combination.LEXICOGRAPHIC);
    assertThat(rules.validators()).extracting(e -> e.rule().name()).containsExactly(
        "cluster-pin", "cluster-utilization-limit", "server-health", "machine-type", "cores-fit",
        "memory-fit", "ssd-fit", "fault-domain-spread", "update-domain-spread", "anti-affinity");
    assertThat(rules.preferences()).extracting(e -> e.rule().name()).containsExactly(
        "avoid-maintenance", "prefer-tenant-cluster", "best-fit", "prefer-non-empty");
    assertThat(rules.rules()).extracting(Rule::level).startsWith(Level.CLUSTER, Level.CLUSTER);
  }

  @Test
  void capacityRulesAreKnownByWhatTheyDeclareNotByTheirNames() {
    assertThat(RuleSet.defaults().validators()).filteredOn(e -> e.rule().capacityRule())
        .extracting(e -> e.rule().name()).containsExactlyInAnyOrder("cluster-utilization-limit",
            "server-health", "cores-fit", "memory-fit", "ssd-fit");
    RuleSet renamed = RuleSet.parse("""
        rules:
          - {name: fits-cpu, rule: resource-fit, kind: validator, level: server, priority: 1,
             arguments: {resource: cores}}
          - {name: healthy, rule: server-health, kind: validator, level: server, priority: 2}
          - {name: keep-apart, rule: anti-affinity, kind: validator, level: server, priority: 3}
          - {name: pinned, rule: cluster-pin, kind: validator, level: cluster, priority: 1}
        """, "renamed.yaml", REGISTRY);
    assertThat(renamed.validators()).filteredOn(e -> e.rule().capacityRule())
        .extracting(e -> e.rule().name()).containsExactlyInAnyOrder("fits-cpu", "healthy");
  }

  @Test
  void jsonIsAcceptedToo() {
    RuleSet rules = RuleSet.parse("""
        {"combination": "weighted", "rules": [
          {"name": "cores", "rule": "resource-fit", "kind": "validator", "level": "server",
           "priority": 1, "arguments": {"resource": "cores"}},
          {"name": "best-fit", "kind": "preference", "level": "server", "priority": 1,
           "weight": -2.5}]}
        """, "r.json", REGISTRY);
    assertThat(rules.combination()).isEqualTo(RuleSet.Combination.WEIGHTED);
    assertThat(rules.preferences().get(0).weight()).isEqualTo(-2.5);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      unknown rule      | {name: x, rule: no-such, kind: validator, level: server, priority: 1}                           | f.yaml: rules[0] (x).rule: unknown rule 'no-such' (known: anti-affinity, avoid-maintenance, best-fit, cluster-pin, cluster-utilization-limit,
      unknown name      | {name: nope, kind: validator, level: server, priority: 1}                                       | f.yaml: rules[0] (nope).name: unknown rule 'nope'
      bad argument type | {name: cluster-utilization-limit, kind: validator, level: cluster, priority: 1, arguments: {limit: high}} | f.yaml: rules[0] (cluster-utilization-limit).arguments.limit: expected a number, got string "high"
      argument range    | {name: cluster-utilization-limit, kind: validator, level: cluster, priority: 1, arguments: {limit: 2}}    | f.yaml: rules[0] (cluster-utilization-limit).arguments.limit: must be in [0.0, 1.0]
      bad resource      | {name: best-fit, kind: preference, level: server, priority: 1, arguments: {resource: gpu}}     | f.yaml: rules[0] (best-fit).arguments.resource: unknown resource 'gpu'
      unknown argument  | {name: anti-affinity, kind: validator, level: server, priority: 1, arguments: {strict: true}}   | f.yaml: rules[0] (anti-affinity).arguments.strict: unknown argument for rule 'anti-affinity'
      missing priority  | {name: anti-affinity, kind: validator, level: server}                                           | f.yaml: rules[0] (anti-affinity).priority: missing field
      missing kind      | {name: anti-affinity, level: server, priority: 1}                                               | f.yaml: rules[0] (anti-affinity).kind: missing field
      missing name      | {rule: anti-affinity, kind: validator, level: server, priority: 1}                              | f.yaml: rules[0].name: missing field
      wrong kind        | {name: anti-affinity, kind: preference, level: server, priority: 1}                             | f.yaml: rules[0] (anti-affinity).kind: rule 'anti-affinity' is a validator, not a preference
      wrong level       | {name: cluster-pin, kind: validator, level: server, priority: 1}                                | f.yaml: rules[0] (cluster-pin).level: rule 'cluster-pin' runs at [cluster], not server
      bad priority      | {name: cluster-pin, kind: validator, level: cluster, priority: high}                            | f.yaml: rules[0] (cluster-pin).priority: expected an integer
      unknown field     | {name: cluster-pin, kind: validator, level: cluster, priority: 1, colour: red}                  | f.yaml: rules[0] (cluster-pin).colour: unknown field
      """)
  void errorNamesItsPlace(String what, String entry, String expected) {
    assertThatThrownBy(() -> RuleSet.parse("rules:\n  - " + entry + "\n", "f.yaml", REGISTRY))
        .isInstanceOf(RuleSetException.class)
        .satisfies(e -> assertThat(((RuleSetException) e).problems())
            .anySatisfy(p -> assertThat(p).startsWith(expected.strip())));
  }

  @Test
  void duplicateNameIsReportedAtTheSecondEntry() {
    String text = """
        rules:
          - {name: a, rule: anti-affinity, kind: validator, level: server, priority: 1}
          - {name: a, rule: cluster-pin, kind: validator, level: cluster, priority: 2}
        """;
    assertThatThrownBy(() -> RuleSet.parse(text, "dup.yaml", REGISTRY))
        .isInstanceOf(RuleSetException.class)
        .hasMessageContaining("dup.yaml: rules[1] (a).name: duplicate name 'a'");
  }

  @Test
  void everyProblemIsReportedNotJustTheFirst() {
    String text = """
        combination: random
        rules:
          - {name: a, rule: nope, kind: validator, level: server, priority: 1}
          - {name: b, rule: cluster-pin, kind: validator, level: cluster}
          - {name: c, rule: best-fit, kind: preference, level: server, priority: 3, weight: heavy}
        """;
    RuleSetException e = org.junit.jupiter.api.Assertions.assertThrows(RuleSetException.class,
        () -> RuleSet.parse(text, "many.yaml", REGISTRY));
    List<String> problems = e.problems();
    assertThat(problems).hasSize(4);
    assertThat(problems.get(0)).startsWith("many.yaml: combination:");
    assertThat(problems.get(1)).startsWith("many.yaml: rules[0] (a).rule: unknown rule");
    assertThat(problems.get(2)).startsWith("many.yaml: rules[1] (b).priority: missing field");
    assertThat(problems.get(3)).startsWith("many.yaml: rules[2] (c).weight: expected a number");
  }

  @Test
  void missingRulesListAndSyntaxErrors() {
    assertThatThrownBy(() -> RuleSet.parse("combination: weighted\n", "x.yaml", REGISTRY))
        .hasMessageContaining("x.yaml: rules: missing field");
    assertThatThrownBy(() -> RuleSet.parse("rules: [\n", "y.yaml", REGISTRY))
        .hasMessageContaining("y.yaml: not valid YAML/JSON");
  }

  @Test
  void customKindsCanBeRegistered() {
    RuleRegistry registry = RuleRegistry.builtin().register("always", RuleRegistry.Kind.VALIDATOR,
        java.util.Set.of(Level.SERVER), (name, level, args) ->
            new BuiltinRules.AntiAffinity(name));
    RuleSet rules = RuleSet.parse(
        "rules: [{name: x, rule: always, kind: validator, level: server, priority: 1}]", "c.yaml",
        registry);
    assertThat(rules.validators()).hasSize(1);
    assertThatThrownBy(() -> registry.register("always", RuleRegistry.Kind.VALIDATOR,
        java.util.Set.of(Level.SERVER), (n, l, a) -> new BuiltinRules.AntiAffinity(n)))
        .hasMessageContaining("already registered");
  }
}
