package io.vmgrid.rules.api;

/**
 * A validator's answer for one server or cluster.
 *
 * @param rule the rule's name
 * @param passed whether it passed
 * @param reason why it failed (or {@code "passed"})
 */
public record Verdict(String rule, boolean passed, String reason) {}
