/**
 * The end-to-end benchmark ({@code vmgrid bench e2e}): grid members as separate processes, a client
 * replaying a trace at a fixed rate, latency seen by the client and member metrics scraped over HTTP.
 */
@NullMarked
package io.vmgrid.bench.e2e;

import org.jspecify.annotations.NullMarked;
