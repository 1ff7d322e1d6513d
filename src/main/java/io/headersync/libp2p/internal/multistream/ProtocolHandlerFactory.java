package io.headersync.libp2p.internal.multistream;

import io.headersync.annotation.Nullable;
import io.netty.channel.ChannelHandler;

/**
 * Creates the handler that takes over a channel once a protocol is agreed. Called on the channel's
 * event loop.
 */
@FunctionalInterface
public interface ProtocolHandlerFactory {
  /**
   * Returns a new handler for {@code protocolId}, or null if the protocol is not supported (the
   * responder then answers {@code na}).
   */
  @Nullable
  ChannelHandler create(String protocolId);
}
