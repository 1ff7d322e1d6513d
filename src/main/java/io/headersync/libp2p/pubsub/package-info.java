/**
 * Publish/subscribe over libp2p, wire-compatible with go-libp2p-pubsub (proven against v0.16.0, the
 * version go-header v0.8.6 pins).
 *
 * <p>{@link io.headersync.libp2p.pubsub.PubSub} runs a router on a {@link
 * io.headersync.libp2p.Host}: FloodSub ({@code /floodsub/1.0.0}, the only one ev-node v1.1.1+ runs;
 * the default) or gossipsub ({@code /meshsub/1.2.0}, {@code 1.1.0}, {@code 1.0.0}, with floodsub
 * peers served too) configured by {@link io.headersync.libp2p.pubsub.GossipSubParams}, optionally
 * scoring peers with {@link io.headersync.libp2p.pubsub.PeerScoreParams} and {@link
 * io.headersync.libp2p.pubsub.PeerScoreThresholds} (go-header's header-topic parameters and
 * celestia's thresholds are provided). The routing decisions sit behind an internal strategy
 * interface; see {@code docs/protocol.md} ("Gossipsub").
 *
 * <h2>Use</h2>
 *
 * <pre>{@code
 * PubSub pubsub = PubSub.builder(host, identity)
 *     .maxMessageSize(PubSub.EVNODE_MAX_MESSAGE_SIZE)
 *     .build();
 * pubsub.start();                     // before host.start(), so identify lists /floodsub/1.0.0
 * // or, for a celestia-style network:
 * PubSub gossip = PubSub.builder(host, identity)
 *     .gossipSub(GossipSubParams.builder().protocols(List.of(GossipSubParams.MESHSUB_V11)).build())
 *     .peerScore(PeerScoreParams.forHeaderTopic(topic), PeerScoreThresholds.CELESTIA)
 *     .build();
 * Subscription sub = pubsub.subscribe(topic);
 * pubsub.registerValidator(topic, (from, m) -> CompletableFuture.completedFuture(ValidationResult.ACCEPT));
 * pubsub.publish(topic, bytes);       // signed (StrictSign), delivered locally and flooded
 * sub.next().thenAccept(m -> ...);
 * }</pre>
 *
 * <h2>Wire</h2>
 *
 * <ul>
 *   <li>RPCs are uvarint-framed protobufs (message ids typed {@code bytes}), each bounded by the
 *       maximum message size (1 MiB by default, as Go; 5 MiB for ev-node).
 *   <li>One long-lived outbound stream per peer, opened when identify (or identify push) says the
 *       peer speaks floodsub; it is write-only and starts with a hello carrying our subscriptions.
 *       Streams a peer opens to us are only read.
 *   <li>StrictSign: {@code from} = our peer id, {@code seqno} = 8-byte big-endian counter started
 *       from Unix nanoseconds, signature over {@code "libp2p-pubsub:"} and the message without
 *       signature and key, key left out when the peer id embeds it. Message id defaults to Go's
 *       {@code from ‖ seqno}; it can be set per topic.
 * </ul>
 *
 * <h2>Threads</h2>
 *
 * <ul>
 *   <li>All router state (peers, their subscriptions, the seen cache, the gossipsub mesh, cache and
 *       scores) is owned by the router, an actor: a serial executor over the router executor (by
 *       default the host's user executor); stream and connection events, the heartbeat and the
 *       score decay (scheduled on the builder's scheduler) are handed to it.
 *   <li>Signature checks and validators run on the validation executor (by default the host's user
 *       executor), never inside a router task, with a concurrency limit (over it, messages are
 *       dropped) and a timeout (then {@link io.headersync.libp2p.pubsub.ValidationResult#IGNORE}).
 *   <li>{@link io.headersync.libp2p.pubsub.Subscription#next()} futures and every future {@link
 *       io.headersync.libp2p.pubsub.PubSub} returns complete on the callback executor (by default
 *       the host's user executor; never the common fork-join pool). A task an executor refuses
 *       fails the future that waited for it.
 * </ul>
 *
 * <h2>Pitfalls</h2>
 *
 * <ul>
 *   <li>Start the {@code PubSub} before starting the host or connecting: a Go peer opens its pubsub
 *       stream only to peers whose identify lists a pubsub protocol (a later start still works
 *       through identify push, but the first messages may be missed).
 *   <li>Our own publishes are delivered to our own subscriptions, as in Go.
 *   <li>Queues are bounded everywhere: a subscription holds 32 messages for a slow reader, a peer
 *       32 unfinished writes; beyond, messages are dropped and counted.
 * </ul>
 */
@NonNullByDefault
package io.headersync.libp2p.pubsub;

import io.headersync.annotation.NonNullByDefault;
