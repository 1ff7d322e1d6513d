/** The DHT's keyspace, routing table, lookup, provider store and message codec; not public API. */
@NonNullByDefault
package io.headersync.libp2p.dht.internal;

import io.headersync.annotation.NonNullByDefault;
