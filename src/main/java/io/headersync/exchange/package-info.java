/**
 * go-header's header exchange, {@code /<networkId>/header-ex/v0.0.3}: how a node asks its peers for
 * headers by height, range or hash, and answers such requests from its store.
 *
 * <ul>
 *   <li>{@link io.headersync.exchange.Exchange} is the client: the network head (a quorum of the
 *       trusted peers, or the best tracked peers verified against a trusted head, see {@link
 *       io.headersync.exchange.HeadResult}), single headers, and pipelined multi-peer range
 *       sessions, configured by {@link io.headersync.exchange.ExchangeOptions}. A peer that answers
 *       badly is scored down or blocked according to the {@link
 *       io.headersync.exchange.PeerFailure}.
 *   <li>{@link io.headersync.exchange.P2PServer} is the server: it answers from a {@link
 *       io.headersync.store.Store} exactly as go-header's {@code ExchangeServer} does, within the
 *       per-peer and global limits of {@link io.headersync.exchange.ServerOptions}.
 *   <li>{@link io.headersync.exchange.ExchangeProtocol} names the protocol and its limits.
 * </ul>
 *
 * <p>Failures: {@link io.headersync.exchange.ExchangeException} when a request could not be served
 * by any peer, {@link io.headersync.exchange.PeerRequestException} for one peer's failure, and
 * {@link io.headersync.exchange.ExchangeProtocolException} for bytes that break the protocol. See
 * {@code docs/protocol.md} for the wire format and the server's decisions.
 */
@NonNullByDefault
package io.headersync.exchange;

import io.headersync.annotation.NonNullByDefault;
