package io.vmgrid.scheduler.sim;

import io.vmgrid.scheduler.api.ClassifiedRequest;
import org.jspecify.annotations.Nullable;

/**
 * A request as an agent backend receives it.
 *
 * @param index position in the request stream
 * @param typeIndex index of its type in the stream's type table
 * @param classified its type key and rule keys
 * @param traits its model-mode traits (null when the rules module classified the stream)
 */
public record SimRequest(
    int index, int typeIndex, ClassifiedRequest classified, ModelClassifier.@Nullable Traits traits) {}
