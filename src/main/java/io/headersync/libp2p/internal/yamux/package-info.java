/**
 * Yamux ({@code /yamux/1.0.0}) stream multiplexing on Netty, wire-compatible with go-yamux v5 as
 * used by go-libp2p v0.48.
 *
 * <p>{@link io.headersync.libp2p.internal.yamux.YamuxSession} is the handler for one connection;
 * each stream is a {@link io.headersync.libp2p.internal.yamux.YamuxStreamChannel}, a Netty child
 * channel with its own pipeline on the connection's event loop. {@link
 * io.headersync.libp2p.internal.yamux.YamuxConfig} holds every limit with its default.
 *
 * <h2>Threads</h2>
 *
 * All session and stream state is confined to the connection's event loop; public methods that may
 * be called from other threads hop onto it. No user code runs inside the session beyond the
 * handlers the user installs in stream pipelines, which Netty runs on that same event loop.
 */
@NonNullByDefault
package io.headersync.libp2p.internal.yamux;

import io.headersync.annotation.NonNullByDefault;
