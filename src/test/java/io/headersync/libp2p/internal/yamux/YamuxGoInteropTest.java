package io.headersync.libp2p.internal.yamux;

import static io.headersync.libp2p.internal.yamux.TestStreams.crc;
import static io.headersync.libp2p.internal.yamux.TestStreams.randomBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.interop.InteropBinaries;
import io.headersync.libp2p.internal.yamux.YamuxLocalChannelTest.Writer;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our session against real go-yamux v5.0.1 over TCP, in both dial directions. Needs the Go program
 * ({@code interop/yamux-check}, built by the interop profile) that either prints {@code LISTEN
 * host:port} and accepts one connection as a go-yamux server, or (args {@code dial host:port})
 * dials us as a go-yamux client, with go-libp2p's settings; echoes every stream we open, opens 8
 * streams of its own (2 MiB each, checked against our echo), pings, and prints {@code GO-OK} or
 * {@code GO-FAIL ...}, then {@code GO-CLOSED} when we close. go-yamux logs protocol problems as
 * {@code [ERR]} / {@code [WARN]} on stderr; the test fails on any.
 *
 * <p>Run with {@code mvn -Pinterop verify}.
 */
@Tag("interop")
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class YamuxGoInteropTest {

  @Test
  void weDialGoListens() throws Exception {
    run(false);
  }

  @Test
  void goDialsWeListen() throws Exception {
    run(true);
  }

  private void run(boolean goDials) throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    List<TestStreams.Echo> echoes = new ArrayList<>();
    YamuxSession session =
        new YamuxSession(
            YamuxConfig.defaults(), !goDials, TestStreams.accepting(echoes, TestStreams.Echo::new));
    ChannelInitializer<SocketChannel> init =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(SocketChannel c) {
            c.pipeline().addLast("yamux", session);
          }
        };
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    Channel listener = null;
    Process go;
    if (goDials) {
      listener =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                      c.pipeline().addLast("yamux", session);
                      accepted.complete(c);
                    }
                  })
              .bind(new InetSocketAddress("127.0.0.1", 0))
              .sync()
              .channel();
      InetSocketAddress at = (InetSocketAddress) listener.localAddress();
      go =
          new ProcessBuilder(
                  InteropBinaries.require("yamux-check").toString(),
                  "dial",
                  "127.0.0.1:" + at.getPort())
              .start();
    } else {
      go = new ProcessBuilder(InteropBinaries.require("yamux-check").toString()).start();
    }
    BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    List<String> stderr = new ArrayList<>();
    Thread out = pump(go.getInputStream(), stdout::add);
    Thread err =
        pump(
            go.getErrorStream(),
            line -> {
              synchronized (stderr) {
                stderr.add(line);
              }
            });
    try {
      String first = stdout.poll(60, TimeUnit.SECONDS);
      Channel ch;
      if (goDials) {
        assertTrue(
            first != null && first.startsWith("DIALED "),
            "Go program did not dial: " + first + stderr);
        ch = accepted.get(30, TimeUnit.SECONDS);
      } else {
        assertTrue(
            first != null && first.startsWith("LISTEN "),
            "Go program did not start: " + first + stderr);
        String[] hostPort = first.substring(7).split(":");
        ch =
            new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(init)
                .connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
                .sync()
                .channel();
      }

      List<Writer> writers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Writer w = new Writer(randomBytes(4 * 1024 * 1024 + i * 1001, i), 64 * 1024);
        writers.add(w);
        Future<YamuxStreamChannel> f = session.openStream(w);
        assertTrue(f.await(30, TimeUnit.SECONDS) && f.isSuccess(), () -> "open: " + f.cause());
        assertEquals(goDials ? 2 * i + 2 : 2 * i + 1, f.getNow().streamId());
      }
      for (Writer w : writers) {
        assertTrue(w.done.await(120, TimeUnit.SECONDS), "echo from Go finished");
        assertNull(w.error);
        assertEquals(w.payload.length, w.bytes().length);
        assertEquals(crc(w.payload), crc(w.bytes()));
      }
      String verdict = stdout.poll(120, TimeUnit.SECONDS);
      assertTrue(
          verdict != null && verdict.startsWith("GO-OK"), "Go side: " + verdict + " " + stderr);
      Future<Long> rtt = session.ping();
      assertTrue(rtt.await(30, TimeUnit.SECONDS) && rtt.isSuccess());
      synchronized (echoes) {
        assertEquals(8, echoes.size());
        for (TestStreams.Echo e : echoes) {
          assertNull(e.error);
        }
      }
      ch.close().sync(); // sends GoAway(0)
      assertEquals("GO-CLOSED", stdout.poll(30, TimeUnit.SECONDS));
      assertTrue(go.waitFor(30, TimeUnit.SECONDS));
      out.join(10_000);
      err.join(10_000);
      synchronized (stderr) {
        assertTrue(
            stderr.stream().noneMatch(l -> l.contains("[ERR]") || l.contains("[WARN]")),
            "go-yamux complained: " + stderr);
      }
    } finally {
      go.destroy();
      if (listener != null) {
        listener.close().sync();
      }
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }
  }

  private static Thread pump(java.io.InputStream in, java.util.function.Consumer<String> sink) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  sink.accept(line);
                }
              } catch (java.io.IOException ignored) {
                // process ended
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }
}
