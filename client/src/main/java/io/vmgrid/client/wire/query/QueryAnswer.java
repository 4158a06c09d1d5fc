package io.vmgrid.client.wire.query;

/**
 * A member's answer to one query, as it travels in a {@link io.vmgrid.client.wire.GridResult}: one
 * record type per query.
 */
public sealed interface QueryAnswer permits ExplainAnswer, CapacityAnswer, WhatIfAnswer,
    FragmentationAnswer, ConsolidationAnswer, ClustersAnswer {}
