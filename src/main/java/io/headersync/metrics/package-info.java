/**
 * A node's metrics for scrapers: {@link io.headersync.metrics.NodeMetrics} reads go-header's
 * metrics (names and meanings as go-header v0.8.6 defines them) and headersync's own from a running
 * node's snapshots; {@link io.headersync.metrics.OpenTelemetryMetrics} registers them on an
 * OpenTelemetry {@code Meter} (the optional dependency {@code io.opentelemetry:opentelemetry-api}).
 */
@NonNullByDefault
package io.headersync.metrics;

import io.headersync.annotation.NonNullByDefault;
