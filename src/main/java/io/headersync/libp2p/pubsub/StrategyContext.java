package io.headersync.libp2p.pubsub;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.pubsub.internal.RouterContext;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the routing strategy (FloodSub, gossipsub) may use of the router: the peers' streams and
 * subscriptions, sending, the peer-exchange dialer, and running its timers' work on the router
 * thread. Every call but {@link #execute} on the router thread.
 */
final class StrategyContext implements RouterContext {
  private static final Logger log = LoggerFactory.getLogger(StrategyContext.class);

  private final Router router;
  private final @Nullable Consumer<List<PeerId>> peerExchangeDialer;

  StrategyContext(Router router, @Nullable Consumer<List<PeerId>> peerExchangeDialer) {
    this.router = router;
    this.peerExchangeDialer = peerExchangeDialer;
  }

  @Override
  public Collection<PeerId> readyPeers() {
    return router.streams.readyPeers();
  }

  @Override
  public Set<String> topicsOf(PeerId peer) {
    return router.streams.topicsOf(peer);
  }

  @Override
  public boolean subscribed(String topic) {
    return router.subscribed(topic);
  }

  @Override
  public boolean outbound(PeerId peer) {
    return router.streams.outbound(peer);
  }

  @Override
  public @Nullable String ip(PeerId peer) {
    return router.streams.ip(peer);
  }

  @Override
  public void send(PeerId peer, PubsubProto.RPC rpc) {
    router.streams.send(peer, rpc.toByteArray());
  }

  /** Hands the offered peers to the dialer on the callback executor (dropped if it refuses). */
  @Override
  public void peerExchange(List<PeerId> offered) {
    Consumer<List<PeerId>> d = peerExchangeDialer;
    if (d == null) {
      return;
    }
    List<PeerId> peers = List.copyOf(offered);
    try {
      router
          .callbacks()
          .execute(
              () -> {
                try {
                  d.accept(peers);
                } catch (RuntimeException e) {
                  log.debug("peer exchange dialer failed: {}", e.toString());
                }
              });
    } catch (RejectedExecutionException e) {
      log.trace("callback executor closed; dropping PX peers");
    }
  }

  /**
   * Runs a timer's work on the router thread, unless the router closed; then checks the mesh
   * waiters.
   */
  @Override
  public void execute(Runnable task) {
    router.execute(
        () -> {
          if (!router.closed()) {
            task.run();
            router.checkMeshWaiters();
          }
        });
  }
}
