/**
 * The engine behind {@link io.headersync.libp2p.Host}: {@link
 * io.headersync.libp2p.internal.host.HostCore} assembles {@code Transports} (event loops,
 * listening, accepting with {@code InboundAdmission}, dialing a transport address), {@code
 * ConnectionUpgrader}, {@code Connections} (the connection table, what we know of peers, the
 * listeners), {@code Dialer}, {@code Streams} (the handler table, inbound dispatch, outbound
 * negotiation), {@link io.headersync.libp2p.internal.host.Identify} and {@code Ping}; {@code
 * StreamBridge} is the {@link io.headersync.libp2p.Stream} on a Yamux stream channel (auto-read
 * off, bytes pulled on demand with a bounded read-ahead). {@code UserExecutor} is where every
 * user-facing completion runs: a task it refuses fails its future (and resets its stream), never
 * running on the event loop.
 *
 * <h2>Pipelines</h2>
 *
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
 *
 * Outbound upgrade handlers are installed before the transport connects: the listener writes its
 * multistream header at once, and on {@code LocalChannel} it can arrive before a connect listener
 * would run. When a connection is multiplexed, it is registered (per-peer limit), {@code connected}
 * is announced and identify runs on it.
 */
@NonNullByDefault
package io.headersync.libp2p.internal.host;

import io.headersync.annotation.NonNullByDefault;
