/**
 * The node's assembly: {@link io.headersync.service.HeaderSyncService} wires a store, an exchange
 * server and client, a gossip subscriber and a syncer for one header type on a {@link
 * io.headersync.service.P2PClient} (one libp2p host with pubsub, discovery and a connection
 * manager, configured by {@link io.headersync.service.P2PConfig}); {@link
 * io.headersync.service.NetworkProfile} names a network's protocol ids, topics and limits
 * (go-header's and ev-node's). The top of the core: everything but {@code evnode}, {@code metrics},
 * {@code testkit} and {@code cli} lies below it.
 */
@NonNullByDefault
package io.headersync.service;

import io.headersync.annotation.NonNullByDefault;
