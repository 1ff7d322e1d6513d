/**
 * The engine behind {@link io.headersync.libp2p.Host}: {@link
 * io.headersync.libp2p.internal.host.HostCore} owns transports, the connection upgrade, the
 * connection table, identify and ping; {@link io.headersync.libp2p.internal.host.StreamBridge} is the
 * {@link io.headersync.libp2p.Stream} on a Yamux stream channel (auto-read off, bytes pulled on
 * demand with a bounded read-ahead).
 *
 * <h2>Pipelines</h2>
 * <pre>
 * connection, inbound:  [gater by IP, connection limit] MultistreamResponder(/noise)
 *                       → NoiseHandshakeHandler(responder) → [gater by peer id]
 *                       → MultistreamResponder(/yamux/1.0.0) → YamuxSession(server)
 * connection, outbound: [gater by peer id and IP, connection limit] MultistreamInitiator(/noise)
 *                       → NoiseHandshakeHandler(initiator, expected peer) → [gater by peer id]
 *                       → MultistreamInitiator(/yamux/1.0.0) → YamuxSession(client)
 * stream, inbound:      MultistreamResponder(handler table) → StreamBridge → StreamHandler (user executor)
 * stream, outbound:     MultistreamInitiator(proposals) → StreamBridge → future (user executor)
 * </pre>
 * Outbound upgrade handlers are installed before the transport connects: the listener writes its
 * multistream header at once, and on {@code LocalChannel} it can arrive before a connect listener
 * would run. When a connection is multiplexed, it is registered (per-peer limit), {@code connected}
 * is announced and identify runs on it.
 */
@NonNullByDefault
package io.headersync.libp2p.internal.host;

import io.headersync.annotation.NonNullByDefault;
