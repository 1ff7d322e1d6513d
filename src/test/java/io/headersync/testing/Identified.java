package io.headersync.testing;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Waiting for identify in tests: a peer's protocols are known only once identify ran with it. */
public final class Identified {
  private Identified() {}

  /**
   * Completes when identify ran on {@code host} with {@code peer} (any peer when null) announcing
   * {@code protocol} (any when null). Call before connecting.
   */
  public static CompletableFuture<Void> by(
      Host host, @Nullable PeerId peer, @Nullable String protocol) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    host.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void identified(PeerInfo info) {
            if ((peer == null || info.peer().equals(peer))
                && (protocol == null || info.protocols().contains(protocol))) {
              f.complete(null);
            }
          }
        });
    return f;
  }

  /**
   * Connects {@code host} to each of {@code peers} (their first listen address) and waits until
   * identify ran with each.
   */
  public static void connect(Host host, List<Host> peers, long timeoutSeconds) throws Exception {
    List<CompletableFuture<Void>> identified = new ArrayList<>();
    for (Host p : peers) {
      identified.add(by(host, p.peerId(), null));
      host.connect(p.listenAddresses().get(0)).get(timeoutSeconds, TimeUnit.SECONDS);
    }
    CompletableFuture.allOf(identified.toArray(new CompletableFuture<?>[0]))
        .get(timeoutSeconds, TimeUnit.SECONDS);
  }
}
