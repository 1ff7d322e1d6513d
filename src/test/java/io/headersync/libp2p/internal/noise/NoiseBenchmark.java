package io.headersync.libp2p.internal.noise;

import io.headersync.libp2p.PrivateKey;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Noise costs: one transport message (seal + open) per AEAD provider and size, and one full XX
 * handshake between two {@link HandshakeState}s including libp2p payload signing and checking.
 *
 * <pre>
 *   mvn -B test-compile exec:exec -Pbench -Dbench.args="NoiseBenchmark -f 1 -wi 3 -i 5"
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class NoiseBenchmark {
  @Param({"JDK", "BC", "JAVA"})
  public String provider;

  @Param({"1024", "65519"})
  public int size;

  private CipherState enc;
  private CipherState dec;
  private byte[] plain;
  private byte[] cipher;
  private byte[] back;
  private final byte[] none = new byte[0];
  private final SecureRandom random = new SecureRandom();
  private final PrivateKey a = PrivateKey.generateEd25519(random);
  private final PrivateKey b = PrivateKey.generateEd25519(random);

  @Setup
  public void setup() {
    Aead.Factory f = provider.equals("JDK") ? Aead.JDK : Aead.BOUNCY_CASTLE;
    byte[] key = new byte[32];
    random.nextBytes(key);
    enc = CipherState.withKey(f, key);
    dec = CipherState.withKey(f, key);
    plain = new byte[size];
    cipher = new byte[size + Aead.TAG_LENGTH];
    back = new byte[size];
  }

  /** Bytes per second = ops/s × size. */
  @Benchmark
  public byte[] transportMessage() {
    enc.encryptWithAd(none, plain, 0, size, cipher, 0);
    dec.decryptWithAd(none, cipher, 0, cipher.length, back, 0);
    return back;
  }

  /** Both sides of one handshake (ignores the size parameter). */
  @Benchmark
  public byte[] handshake() {
    HandshakeState i =
        new HandshakeState(true, HandshakeState.generatePrivateKey(random), random, Aead.DEFAULT);
    HandshakeState r =
        new HandshakeState(false, HandshakeState.generatePrivateKey(random), random, Aead.DEFAULT);
    r.readMessage(i.writeMessage(none));
    byte[] p2 =
        b.sign(NoiseHandshakeHandler.concat(NoiseHandshakeHandler.SIG_PREFIX, r.localStatic()));
    i.readMessage(r.writeMessage(p2));
    b.publicKey()
        .verify(
            NoiseHandshakeHandler.concat(NoiseHandshakeHandler.SIG_PREFIX, i.remoteStatic()), p2);
    byte[] p3 =
        a.sign(NoiseHandshakeHandler.concat(NoiseHandshakeHandler.SIG_PREFIX, i.localStatic()));
    r.readMessage(i.writeMessage(p3));
    a.publicKey()
        .verify(
            NoiseHandshakeHandler.concat(NoiseHandshakeHandler.SIG_PREFIX, r.remoteStatic()), p3);
    return r.handshakeHash();
  }
}
