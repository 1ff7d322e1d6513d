/**
 * Instruments that headersync's components record into as things happen: {@link
 * io.headersync.instrument.Histogram} (bounded, lock-free, with a fixed set of buckets). It depends
 * on nothing else of headersync, so that every layer can record into it; {@link
 * io.headersync.metrics.NodeMetrics} reads the instruments of a node and the exporters publish
 * them.
 */
package io.headersync.instrument;
