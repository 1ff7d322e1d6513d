package io.headersync.bench;

import io.headersync.interop.GoPeer;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.host.EchoHandler;
import io.headersync.libp2p.host.StreamIo;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Loopback TCP figures, ours vs go-libp2p v0.48, in one run (not a timed test): the handshake time
 * (connect: TCP + multistream + Noise XX + multistream + Yamux; median of {@link #CONNECTS}) and
 * the one-stream echo throughput (bytes sent through an echo stream and back, divided by the time;
 * the payload crosses the connection twice), for Java→Java, Java→Go, Go→Java and Go→Go.
 *
 * <p>It also measures, in the same JVM, the JDK's own ChaCha20-Poly1305 (what Noise uses) on one
 * thread: a 65,519-byte record (Noise's largest payload) encrypted and then decrypted, in MiB/s of
 * records. The echo passes every payload byte through two such pairs (one per crossing), so with
 * both sides on two cores the cipher alone allows at most that pair rate (issue 18 row 8 compares
 * Java → Java against it).
 *
 * <p>Run (after {@code mvn -B -o -Pinterop verify} built {@code target/interop/peer}):
 *
 * <pre>
 * mvn -B -o -q test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *   -Dexec.args="-cp %classpath -Dheadersync.interop.dir=target/interop io.headersync.bench.TransportBenchmark"
 * </pre>
 */
public final class TransportBenchmark {
  static final int CONNECTS = 20;
  static final int ECHO_BYTES = 64 << 20;
  static final int ROUNDS = 3;

  private TransportBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.out.printf(
        "JDK %s, %d cores; echo %d MiB on one stream, best of %d; connect median of %d (after a Java warm-up round)%n",
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        ECHO_BYTES >> 20,
        ROUNDS,
        CONNECTS);
    byte[] data = new byte[ECHO_BYTES];
    new Random(1).nextBytes(data);
    try (Host a = host();
        Host b = host();
        GoPeer g1 = new GoPeer(101);
        GoPeer g2 = new GoPeer(102)) {
      a.start().get();
      b.start().get();
      PeerId g1Id = PeerId.parse(g1.peerId());
      PeerId g2Id = PeerId.parse(g2.peerId());

      // warm-up (JIT) of both Java sides, not reported
      javaConnect(a, b.listenAddresses().get(0));
      javaEcho(a, b.peerId(), data);
      double aead = aeadPairMibPerSecond();
      int cores = Math.min(2, Runtime.getRuntime().availableProcessors());
      double ceiling = aead * cores / 2;
      System.out.printf(
          "JDK ChaCha20-Poly1305, one thread: %.1f MiB/s encrypt+decrypt; echo ceiling on %d cores %.1f MiB/s%n",
          aead, cores, ceiling);
      // Java -> Java
      double javaJava = javaEcho(a, b.peerId(), data);
      report("Java -> Java", javaConnect(a, b.listenAddresses().get(0)), javaJava);
      System.out.printf(
          "Java -> Java echo / the cipher's ceiling: %.0f%%%n", 100 * javaJava / ceiling);
      // Java -> Go
      report(
          "Java -> Go  ",
          javaConnect(a, Multiaddr.parse(g1.tcpAddress())),
          javaEcho(a, g1Id, data));
      // Go -> Java
      report(
          "Go -> Java  ",
          goConnect(g1, a.listenAddresses().get(0).toString(), a.peerId()),
          goEcho(g1, a.peerId()));
      // Go -> Go
      report("Go -> Go    ", goConnect(g1, g2.tcpAddress(), g2Id), goEcho(g1, g2Id));
    }
  }

  /** Median of 7 rounds (after 2 warm-up rounds) of 2,000 records encrypted then decrypted. */
  static double aeadPairMibPerSecond() throws Exception {
    SecretKeySpec key = new SecretKeySpec(new byte[32], "ChaCha20");
    int n = 65_519;
    byte[] plain = new byte[n];
    byte[] sealed = new byte[n + 16];
    byte[] opened = new byte[n];
    Cipher enc = Cipher.getInstance("ChaCha20-Poly1305");
    Cipher dec = Cipher.getInstance("ChaCha20-Poly1305");
    int records = 2_000;
    double[] rates = new double[9];
    long counter = 0;
    for (int round = 0; round < rates.length; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < records; i++) {
        byte[] nonce = new byte[12];
        long c = counter++;
        for (int j = 0; j < 8; j++) {
          nonce[4 + j] = (byte) (c >>> (8 * j));
        }
        enc.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce));
        enc.doFinal(plain, 0, n, sealed, 0);
        dec.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
        dec.doFinal(sealed, 0, n + 16, opened, 0);
      }
      rates[round] = ((double) records * n / 1048576.0) / ((System.nanoTime() - t0) / 1e9);
    }
    double[] measured = Arrays.copyOfRange(rates, 2, rates.length);
    Arrays.sort(measured);
    return measured[measured.length / 2];
  }

  static Host host() {
    Host h =
        Host.builder(PrivateKey.generateEd25519(new SecureRandom()))
            .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
            .build();
    h.setStreamHandler(EchoHandler.PROTOCOL, new EchoHandler());
    return h;
  }

  static void report(String what, double connectMillis, double mibPerSecond) {
    System.out.printf(
        "%s  connect %7.2f ms   echo %7.1f MiB/s%n", what, connectMillis, mibPerSecond);
  }

  static double javaConnect(Host h, Multiaddr to) throws Exception {
    PeerId peer = to.peerId().orElseThrow();
    long[] nanos = new long[CONNECTS];
    for (int i = 0; i < CONNECTS; i++) {
      h.disconnect(peer).get(10, TimeUnit.SECONDS);
      long t0 = System.nanoTime();
      h.connect(to).get(10, TimeUnit.SECONDS);
      nanos[i] = System.nanoTime() - t0;
    }
    Arrays.sort(nanos);
    return nanos[CONNECTS / 2] / 1e6;
  }

  static double javaEcho(Host h, PeerId peer, byte[] data) throws Exception {
    double best = 0;
    for (int r = 0; r < ROUNDS; r++) {
      long t0 = System.nanoTime();
      Stream s = h.newStream(peer, EchoHandler.PROTOCOL).get(10, TimeUnit.SECONDS);
      byte[] back = StreamIo.echo(s, data).get(120, TimeUnit.SECONDS);
      long t = System.nanoTime() - t0;
      if (back.length != data.length) {
        throw new AssertionError("echoed " + back.length + " bytes");
      }
      best = Math.max(best, (data.length / 1048576.0) / (t / 1e9));
    }
    return best;
  }

  static double goConnect(GoPeer g, String to, PeerId peer) throws Exception {
    long[] micros = new long[CONNECTS];
    for (int i = 0; i < CONNECTS; i++) {
      g.ok("\"cmd\":\"disconnect\",\"peer\":\"" + peer + "\"", 10);
      String answer = g.ok("\"cmd\":\"connect\",\"addr\":\"" + to + "\"", 10);
      micros[i] = Long.parseLong(answer.replaceAll(".*\"micros\":(\\d+).*", "$1"));
    }
    Arrays.sort(micros);
    return micros[CONNECTS / 2] / 1e3;
  }

  static double goEcho(GoPeer g, PeerId peer) throws Exception {
    double best = 0;
    for (int r = 0; r < ROUNDS; r++) {
      String answer =
          g.ok(
              "\"cmd\":\"echo\",\"peer\":\"" + peer + "\",\"streams\":1,\"bytes\":" + ECHO_BYTES,
              120);
      long millis = Long.parseLong(answer.replaceAll(".*\"millis\":(\\d+).*", "$1"));
      best = Math.max(best, (ECHO_BYTES / 1048576.0) / (Math.max(1, millis) / 1e3));
    }
    return best;
  }
}
