package io.headersync.testing;

import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Hosts on an in-memory network with identities derived from a seed, for tests. */
public final class MemoryHosts {
  private MemoryHosts() {}

  /** A started host on {@code network} whose Ed25519 identity comes from {@code seed}. */
  public static Host start(
      InMemoryNetwork network, int seed, ConnectionGater gater, long timeoutSeconds)
      throws Exception {
    byte[] s = new byte[32];
    new Random(seed).nextBytes(s);
    Host h =
        Host.builder(PrivateKey.ed25519FromSeed(s))
            .inMemory(network)
            .listen(Multiaddr.parse("/memory/0"))
            .gater(gater)
            .build();
    try {
      h.start().get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      h.close();
      throw e;
    }
    return h;
  }
}
