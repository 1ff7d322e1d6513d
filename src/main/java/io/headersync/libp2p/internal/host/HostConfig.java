package io.headersync.libp2p.internal.host;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.HostLimits;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.netty.channel.EventLoopGroup;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Everything {@link HostCore} needs, as validated by {@code Host.Builder}.
 *
 * @param memoryAllocate for the in-memory transport: a fresh {@code /memory/<n>} number (null: TCP)
 * @param memoryName for the in-memory transport: the endpoint name of {@code /memory/<n>}
 * @param memoryGroup for the in-memory transport: the network's shared event loops (not owned)
 * @param userExecutor null: the host makes (and owns) its own
 */
public record HostConfig(
    PrivateKey identity,
    List<Multiaddr> listenAddresses,
    @Nullable LongSupplier memoryAllocate,
    @Nullable LongFunction<String> memoryName,
    @Nullable Supplier<EventLoopGroup> memoryGroup,
    ConnectionGater gater,
    HostLimits limits,
    @Nullable Executor userExecutor,
    Clock clock,
    int eventLoopThreads,
    String userAgent,
    SecureRandom random) {
  public HostConfig {
    listenAddresses = List.copyOf(listenAddresses);
  }

  boolean inMemory() {
    return memoryAllocate != null;
  }
}
