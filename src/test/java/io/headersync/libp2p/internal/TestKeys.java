package io.headersync.libp2p.internal;

import io.headersync.libp2p.PrivateKey;
import java.util.Arrays;

/** Test identities. */
public final class TestKeys {
  private TestKeys() {}

  public static PrivateKey key(int b) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) b);
    return PrivateKey.ed25519FromSeed(seed);
  }
}
