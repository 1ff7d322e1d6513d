/**
 * Peer discovery: a Kademlia DHT on {@code /ipfs/kad/1.0.0}, wire-compatible with go-libp2p-kad-dht
 * v0.40.0 (what ev-node v1.2.2 links), and namespace discovery on top of it as ev-node runs it with
 * go-libp2p's routing discovery.
 *
 * <ul>
 *   <li>{@link io.headersync.libp2p.dht.Dht} (+ builder, {@link
 *       io.headersync.libp2p.dht.DhtOptions}, {@link io.headersync.libp2p.dht.DhtMode}): routing
 *       table, lookups, provider records, the server side; errors as {@link
 *       io.headersync.libp2p.dht.DhtException}.
 *   <li>{@link io.headersync.libp2p.dht.Discovery} ({@link
 *       io.headersync.libp2p.dht.DiscoveryOptions}): advertise a namespace every 7/8 of its TTL,
 *       search it and dial the providers while below the low watermark.
 * </ul>
 *
 * <p>A node turns both on with {@code P2PConfig.Builder#discovery}; the namespace defaults to the
 * chain id. Addresses go through {@link io.headersync.libp2p.PeerStore}. See {@code
 * docs/protocol.md} ("Kademlia DHT") for what we answer and how it differs from Go.
 */
@NonNullByDefault
package io.headersync.libp2p.dht;

import io.headersync.annotation.NonNullByDefault;
