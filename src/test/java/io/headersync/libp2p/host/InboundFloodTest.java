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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connection-slot attack (D1): a flood of idle TCP connections, reopened as fast as they are
 * closed, must not lock honest peers out. Inbound connections in the handshake have their own small
 * budget in which idle ones give way to newcomers, and a short deadline.
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
    Host h = Host.builder(PrivateKey.ed25519FromSeed(s)).listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
        .limits(limits).build();
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
    Host server = host(1, HostLimits.DEFAULT);
    InetSocketAddress target = address(server);
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicLong opened = new AtomicLong();
    Thread flood = new Thread(() -> {
      ArrayDeque<Socket> open = new ArrayDeque<>();
      try {
        while (flooding.get()) {
          try {
            Socket s = new Socket();
            s.connect(target, 2_000);
            open.addLast(s);
            opened.incrementAndGet();
          } catch (IOException e) {
            // refused while the server is busy: keep going
          }
          while (open.size() > 300) {
            closeQuietly(open.pollFirst());
          }
        }
      } finally {
        open.forEach(InboundFloodTest::closeQuietly);
      }
    }, "flood");
    flood.start();
    try {
      while (opened.get() < 600) {
        Thread.onSpinWait(); // the flood is running before the first probe
      }
      for (int probe = 0; probe < 8; probe++) {
        Host honest = host(100 + probe, HostLimits.DEFAULT);
        honest.connect(server.listenAddresses().get(0)).get(5, TimeUnit.SECONDS);
        Duration rtt = honest.ping(server.peerId()).get(5, TimeUnit.SECONDS);
        assertTrue(rtt.toMillis() < 5_000, "probe " + probe + ": " + rtt);
        honest.close();
      }
    } finally {
      flooding.set(false);
      flood.join(TimeUnit.SECONDS.toMillis(T));
    }
    assertTrue(opened.get() >= 600, "the flood ran: " + opened.get());
  }

  @Test
  void anIdleInboundConnectionIsClosedAfterTheHandshakeDeadline() throws Exception {
    Host server = host(2, HostLimits.builder().inboundHandshakeTimeout(Duration.ofMillis(200)).build());
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
