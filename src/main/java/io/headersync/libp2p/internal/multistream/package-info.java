/**
 * multistream-select 1.0 as Netty handlers: {@link
 * io.headersync.libp2p.internal.multistream.MultistreamResponder} (the listener side) and {@link
 * io.headersync.libp2p.internal.multistream.MultistreamInitiator} (the dialer side). Both remove
 * themselves after agreement and install the selected protocol's handler in their place; bytes that
 * arrived after the agreed token (pipelined, optimistic data) are passed on to it, never dropped.
 *
 * <p>Threads: a handler belongs to one channel and runs on its event loop; the result future is
 * completed there too, after the selected handler is installed, so dependent actions must not
 * block. The selected handler's factory is called on the event loop.
 *
 * <p>Wiring, as go-libp2p upgrades a connection: on the raw connection a responder (listener) or
 * initiator (dialer, proposing {@code /noise}) selects security and installs a Noise handshake
 * handler; after Noise, a second pair selects the muxer ({@code /yamux/1.0.0}) unless Noise's early
 * negotiation already did; on every muxed stream a third pair selects the application protocol.
 */
@NonNullByDefault
package io.headersync.libp2p.internal.multistream;

import io.headersync.annotation.NonNullByDefault;
