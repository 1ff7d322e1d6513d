/**
 * multistream-select 1.0 as Netty handlers: {@link
 * io.headersync.libp2p.internal.multistream.MultistreamResponder} (the listener side) and {@link
 * io.headersync.libp2p.internal.multistream.MultistreamInitiator} (the dialer side). Both remove
 * themselves after agreement and install the selected protocol's handler in their place; bytes
 * that arrived after the agreed token (pipelined, optimistic data) are passed on to it, never
 * dropped.
 */
@NonNullByDefault
package io.headersync.libp2p.internal.multistream;

import io.headersync.annotation.NonNullByDefault;
