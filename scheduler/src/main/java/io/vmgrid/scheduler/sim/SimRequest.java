package io.vmgrid.scheduler.sim;

import io.vmgrid.scheduler.api.ClassifiedRequest;

/**
 * A request as an agent backend receives it.
 *
 * @param index position in the request stream
 * @param typeIndex index of its type in the stream's type table
 * @param classified its type key and rule keys
 * @param traits its traits (what an engine-mode backend turns into a real VM request)
 */
public record SimRequest(
    int index, int typeIndex, ClassifiedRequest classified, ModelClassifier.Traits traits) {}
