/**
 * Publish/subscribe over libp2p, wire-compatible with go-libp2p-pubsub v0.17.0.
 *
 * <p>{@link io.headersync.libp2p.pubsub.PubSub} runs a router on a {@link
 * io.headersync.libp2p.Host}. Only the FloodSub router ({@code /floodsub/1.0.0}, what ev-node
 * v1.1.1+ runs) is implemented; the router strategy is internal so gossipsub can be added.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>All router state (peers, their subscriptions, the seen cache) lives on one router thread,
 *       like an actor; stream and connection events are handed to it.</li>
 *   <li>Validators run on the validation executor, never on the router thread, with a
 *       concurrency limit and a timeout.</li>
 *   <li>{@link io.headersync.libp2p.pubsub.Subscription#next()} futures and {@link
 *       io.headersync.libp2p.pubsub.PubSub#publish} futures complete on the callback executor.</li>
 * </ul>
 */
@NonNullByDefault
package io.headersync.libp2p.pubsub;

import io.headersync.annotation.NonNullByDefault;
