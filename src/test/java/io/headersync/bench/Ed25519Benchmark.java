package io.headersync.bench;

import io.headersync.libp2p.KeyType;
import io.headersync.libp2p.PublicKey;
import io.headersync.libp2p.internal.crypto.GoEd25519;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One Ed25519 signature verification (a 256-byte message, about an ev-node header's signed bytes):
 *
 * <ul>
 *   <li>{@code bouncyCastle}: Bouncy Castle's {@code Ed25519.verify} (cofactored, not Go-exact);
 *   <li>{@code bouncyCastlePlusRCheck}: what ev-node's signer paid before {@link GoEd25519}: Bouncy
 *       Castle's verify plus a full (prime-order) validation of R;
 *   <li>{@code goExact}: {@link GoEd25519#verify(byte[], byte[], byte[])}, which decodes the key
 *       and builds its table on every call;
 *   <li>{@code goExactPreparedKey}: the same with the key decoded once, as {@link PublicKey} keeps
 *       it (what Noise and ev-node header verification pay);
 *   <li>{@code publicKeyVerify}: {@link PublicKey#verify} of an Ed25519 key;
 *   <li>{@code freshPublicKeyVerify}: a new {@link PublicKey} per signature, as ev-node header
 *       decoding makes one (the prepared key comes from the process-wide cache).
 * </ul>
 *
 * Run: {@code mvn -B -o test-compile exec:exec -Pbench -Dbench.args="Ed25519Benchmark -f 1 -wi 2 -i
 * 3"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class Ed25519Benchmark {
  private byte[] publicKey;
  private byte[] message;
  private byte[] signature;
  private GoEd25519.PreparedKey prepared;
  private PublicKey libp2pKey;

  @Setup
  public void setup() {
    Random random = new Random(1);
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    publicKey = new byte[32];
    Ed25519.generatePublicKey(seed, 0, publicKey, 0);
    message = new byte[256];
    random.nextBytes(message);
    signature = new byte[64];
    Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, signature, 0);
    prepared = GoEd25519.prepare(publicKey);
    libp2pKey = PublicKey.fromRaw(KeyType.ED25519, publicKey);
    if (!GoEd25519.verify(publicKey, message, signature) || !libp2pKey.verify(message, signature)) {
      throw new IllegalStateException("signature does not verify");
    }
  }

  @Benchmark
  public boolean bouncyCastle() {
    return Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
  }

  @Benchmark
  public boolean bouncyCastlePlusRCheck() {
    return Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length)
        && Ed25519.validatePublicKeyFull(signature, 0);
  }

  @Benchmark
  public boolean goExact() {
    return GoEd25519.verify(publicKey, message, signature);
  }

  @Benchmark
  public boolean goExactPreparedKey() {
    return GoEd25519.verify(prepared, message, signature);
  }

  @Benchmark
  public boolean freshPublicKeyVerify() {
    return PublicKey.fromRaw(KeyType.ED25519, publicKey).verify(message, signature);
  }

  @Benchmark
  public boolean publicKeyVerify() {
    return libp2pKey.verify(message, signature);
  }
}
