package io.headersync.bench;

import io.headersync.interop.InteropBinaries;
import io.headersync.libp2p.Multiaddr;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The {@code interop/delayproxy} Go program: a TCP forwarder that delays every byte by a one-way
 * latency in each direction (a user-space {@code tc netem delay}; this machine's kernel has no
 * netem).
 */
final class DelayProxy implements AutoCloseable {
  private final Process process;
  private final int port;

  /**
   * @param target a multiaddr {@code /ip4/…/tcp/…[/p2p/…]} to forward to
   * @param oneWay the delay in each direction (a round trip costs twice this)
   */
  DelayProxy(Multiaddr target, Duration oneWay) throws Exception {
    String hostPort = target.host().orElseThrow() + ":" + target.tcpPort().orElseThrow();
    process =
        new ProcessBuilder(
                InteropBinaries.require("delayproxy").toString(),
                "-listen",
                "127.0.0.1:0",
                "-target",
                hostPort,
                "-delay",
                oneWay.toMillis() + "ms")
            .redirectErrorStream(true)
            .start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    if (line == null || !line.startsWith("listening ")) {
      process.destroyForcibly();
      throw new IllegalStateException("delayproxy did not start: " + line);
    }
    port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
  }

  /** The proxy's address, with {@code peer}'s id appended when the target had one. */
  Multiaddr address(Multiaddr target) {
    Multiaddr a = Multiaddr.tcp("127.0.0.1", port);
    return target.peerId().map(a::withPeerId).orElse(a);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
