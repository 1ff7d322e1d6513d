/**
 * The public, pure-Java face of headersync's libp2p stack: identities ({@link
 * io.headersync.libp2p.PrivateKey}, {@link io.headersync.libp2p.PublicKey}, {@link
 * io.headersync.libp2p.PeerId}, {@link io.headersync.libp2p.NodeKeyFile}), addresses ({@link
 * io.headersync.libp2p.Multiaddr}, {@link io.headersync.libp2p.SeedAddresses}), and the {@link
 * io.headersync.libp2p.Host} that connects to go-libp2p nodes.
 *
 * <p>Everything here is wire-exact with go-libp2p v0.48: key protobufs are encoded
 * deterministically, peer ids use the identity multihash for keys whose protobuf encoding is at
 * most 42 bytes, and multiaddrs use go-multiaddr's codes and text rules. No Netty or generated
 * protobuf type appears in a public signature; the protocol machinery lives in {@code
 * io.headersync.libp2p.internal.*}.
 *
 * <h2>The host</h2>
 *
 * {@link io.headersync.libp2p.Host} (built with {@link io.headersync.libp2p.Host.Builder}) listens
 * and dials over TCP, or over an {@link io.headersync.libp2p.InMemoryNetwork} in tests; both run
 * the same upgrade: multistream-select 1.0, Noise XX ({@code /noise}; Go's {@code /tls/1.0.0}
 * proposal gets {@code na}), multistream-select again, Yamux ({@code /yamux/1.0.0}). Each stream is
 * negotiated with multistream-select and handed over as a {@link io.headersync.libp2p.Stream}. The
 * host serves identify, identify push and ping itself. {@link io.headersync.libp2p.ConnectionGater}
 * decides who may connect; {@link io.headersync.libp2p.HostLimits} bounds connections, streams and
 * buffers; {@link io.headersync.libp2p.ConnectionManager} keeps the peer count between watermarks;
 * {@link io.headersync.libp2p.PeerStore} remembers the addresses and protocols peers announced.
 *
 * <h2>Threads</h2>
 *
 * <ul>
 *   <li>Netty event loops (the host's own for TCP, the network's for in-memory) do I/O and framing
 *       only; they never run user code.
 *   <li>{@link io.headersync.libp2p.StreamHandler}s, {@link
 *       io.headersync.libp2p.ConnectionListener}s and every future the host or a stream returns
 *       complete on the user executor ({@link io.headersync.libp2p.Host.Builder#executor}).
 *       Connection events reach listeners in order.
 *   <li>Every public method may be called from any thread.
 * </ul>
 */
@NonNullByDefault
package io.headersync.libp2p;

import io.headersync.annotation.NonNullByDefault;
