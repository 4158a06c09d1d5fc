package io.vmgrid.scheduler.sim;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * One policy's figures from one simulation run.
 *
 * @param name the policy
 * @param requests requests completed
 * @param meanMs mean end-to-end latency (queueing included)
 * @param p50Ms median latency
 * @param p90Ms 90th percentile latency
 * @param p99Ms 99th percentile latency
 * @param topHitRatio share of requests served from a top-level entry
 * @param ruleHitRatio share of rule evaluations (on top-level misses) served from a rule entry
 * @param cacheBytesMean time-averaged cache bytes, summed over agents
 * @param throughputPerSec completed requests per simulated second (first arrival to last completion)
 * @param meanServiceMs mean service time (processing only, no queueing)
 * @param utilization total service time over agents × (first arrival to last completion): how busy
 *     the agents were
 * @param steals requests taken over by work stealing
 * @param bestAgentChosenRatio Kamino only: share of requests sent to an agent that minimizes the
 *     oracle latency (true per-type costs, true remaining time)
 * @param eventPredictionAccuracy Kamino only: share of requests whose top-level hit or miss was
 *     predicted correctly at routing time
 * @param placementFailures engine mode only: requests for which no server fitted when their
 *     placement was committed (the VM was not placed)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicyResult(
    String name,
    int requests,
    double meanMs,
    double p50Ms,
    double p90Ms,
    double p99Ms,
    double topHitRatio,
    double ruleHitRatio,
    double cacheBytesMean,
    double throughputPerSec,
    double meanServiceMs,
    double utilization,
    long steals,
    @Nullable Double bestAgentChosenRatio,
    @Nullable Double eventPredictionAccuracy,
    @Nullable Long placementFailures) {}
