package io.headersync.libp2p.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.Host;
import io.headersync.libp2p.HostLimits;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connection-slot attack (D1): 300 idle TCP connections, reopened every second, must not lock
 * honest peers out. Inbound connections in the handshake have their own small budget in which idle
 * ones give way to newcomers, and a short deadline.
 */
class InboundFloodTest {
  private static final long T = 20;
  private final List<Host> hosts = new ArrayList<>();

  @AfterEach
  void close() {
    hosts.forEach(Host::close);
  }

  private Host host(int seed, HostLimits limits) throws Exception {
    byte[] s = new byte[32];
    new Random(seed).nextBytes(s);
    Host h =
        Host.builder(PrivateKey.ed25519FromSeed(s))
            .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
            .limits(limits)
            .build();
    hosts.add(h);
    h.start().get(T, TimeUnit.SECONDS);
    return h;
  }

  private static InetSocketAddress address(Host h) {
    Multiaddr a = h.listenAddresses().get(0);
    return new InetSocketAddress(a.host().orElseThrow(), a.tcpPort().getAsInt());
  }

  @Test
  void honestPeersConnectWhileAFloodOfIdleConnectionsRuns() throws Exception {
    Host server = host(1, HostLimits.defaults());
    InetSocketAddress target = address(server);
    // The attack as measured: 300 idle connections, reopened every second.
    AtomicLong opened = new AtomicLong();
    ArrayDeque<Socket> open = new ArrayDeque<>();
    CompletableFuture<Void> firstWave = new CompletableFuture<>();
    ScheduledExecutorService attacker = Executors.newSingleThreadScheduledExecutor();
    attacker.scheduleWithFixedDelay(
        () -> {
          open.forEach(InboundFloodTest::closeQuietly);
          open.clear();
          for (int i = 0; i < 300; i++) {
            try {
              Socket s = new Socket();
              s.connect(target, 2_000);
              open.add(s);
              opened.incrementAndGet();
            } catch (IOException e) {
              // refused or timed out: keep going
            }
          }
          firstWave.complete(null);
        },
        0,
        1,
        TimeUnit.SECONDS);
    try {
      firstWave.get(T, TimeUnit.SECONDS);
      for (int probe = 0; probe < 8; probe++) {
        Host honest = host(100 + probe, HostLimits.defaults());
        honest.connect(server.listenAddresses().get(0)).get(10, TimeUnit.SECONDS);
        honest.ping(server.peerId()).get(10, TimeUnit.SECONDS);
        honest.close();
      }
    } finally {
      attacker.shutdownNow();
      attacker.awaitTermination(T, TimeUnit.SECONDS);
      open.forEach(InboundFloodTest::closeQuietly);
    }
    assertTrue(opened.get() >= 300, "the flood ran: " + opened.get());
  }

  @Test
  void anIdleInboundConnectionIsClosedAfterTheHandshakeDeadline() throws Exception {
    Host server =
        host(2, HostLimits.builder().inboundHandshakeTimeout(Duration.ofMillis(200)).build());
    try (Socket s = new Socket()) {
      s.connect(address(server), 2_000);
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      // The server writes its multistream header first; then, with nothing from us, it closes.
      int read;
      try {
        while ((read = in.read()) != -1) {
          // drain the header
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the idle connection was not closed within 10 s", e);
      } catch (IOException e) {
        read = -1; // reset by the server: closed as well
      }
      assertEquals(-1, read);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // ignore
    }
  }
}
