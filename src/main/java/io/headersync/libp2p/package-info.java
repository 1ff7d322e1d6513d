/**
 * The public, pure-Java face of headersync's libp2p stack: identities ({@link
 * io.headersync.libp2p.PrivateKey}, {@link io.headersync.libp2p.PublicKey}, {@link
 * io.headersync.libp2p.PeerId}, {@link io.headersync.libp2p.NodeKeyFile}) and addresses ({@link
 * io.headersync.libp2p.Multiaddr}, {@link io.headersync.libp2p.SeedAddresses}).
 *
 * <p>Everything here is wire-exact with go-libp2p v0.48: key protobufs are encoded
 * deterministically, peer ids use the identity multihash for keys whose protobuf encoding is at
 * most 42 bytes, and multiaddrs use go-multiaddr's codes and text rules. No Netty or generated
 * protobuf type appears in a public signature; the protocol machinery lives in {@code
 * io.headersync.libp2p.internal.*}.
 */
@NonNullByDefault
package io.headersync.libp2p;

import io.headersync.annotation.NonNullByDefault;
