/**
 * go-header's header exchange, {@code /<networkId>/header-ex/v0.0.3}: the wire format and the
 * server's request semantics. (The P2P server and the exchange client over libp2p streams follow.)
 */
@NonNullByDefault
package io.headersync.exchange;

import io.headersync.annotation.NonNullByDefault;
