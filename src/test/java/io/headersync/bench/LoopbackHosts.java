package io.headersync.bench;

import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Hosts of the side-by-side harnesses: loopback TCP, identities from a small seed. */
final class LoopbackHosts {
  private LoopbackHosts() {}

  /**
   * Starts a host listening on 127.0.0.1 with the identity of {@code seed}, and adds it to {@code
   * hosts}.
   */
  static Host start(List<Host> hosts, int seed) throws Exception {
    byte[] s = new byte[32];
    s[0] = (byte) seed;
    s[1] = (byte) (seed >> 8);
    Host h =
        Host.builder(PrivateKey.ed25519FromSeed(s))
            .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
            .build();
    hosts.add(h);
    h.start().get(30, TimeUnit.SECONDS);
    return h;
  }
}
