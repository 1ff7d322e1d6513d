/** Pubsub internals: the RPC codec, signing and the router strategies. Not API. */
@NonNullByDefault
package io.headersync.libp2p.pubsub.internal;

import io.headersync.annotation.NonNullByDefault;
