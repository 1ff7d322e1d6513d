package io.headersync.libp2p.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.libp2p.ConnectionException;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamException;
import io.headersync.lifecycle.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The host's executor model: public futures complete on the user executor, and a task the user
 * executor refuses fails its future (and resets its stream) instead of running on an event loop.
 */
class HostExecutorTest {
  static final long T = 20;

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final List<Host> hosts = new ArrayList<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private int seed = 700;

  /** The executor of hosts this thread must run tasks for, if any. */
  private TestExecutors.Pumped pumped;

  @AfterEach
  void close() throws Exception {
    for (Host h : hosts) {
      if (pumped != null) {
        pumped.pump(h.stop());
      } else {
        get(h.stop());
      }
    }
    network.close();
    pool.shutdownNow();
  }

  Host host(Executor user) {
    Host h =
        Host.builder(HostTest.key(seed++))
            .inMemory(network)
            .listen(Multiaddr.parse("/memory/0"))
            .executor(user)
            .build();
    hosts.add(h);
    return h;
  }

  static <V> V get(CompletableFuture<V> f) throws Exception {
    return f.get(T, TimeUnit.SECONDS);
  }

  static Throwable failure(CompletableFuture<?> f) {
    return assertThrows(ExecutionException.class, () -> f.get(T, TimeUnit.SECONDS)).getCause();
  }

  /** Connects a to b and waits until a identified b (so streams to b's protocols open lazily). */
  static void connectAndIdentify(Host a, Host b) throws Exception {
    HostTest.Identified ia = new HostTest.Identified();
    a.addConnectionListener(ia);
    get(a.connect(b.listenAddresses().get(0)));
    assertEquals(b.peerId(), ia.next().peer());
  }

  @Test
  void publicFuturesCompleteOnTheUserExecutor() throws Exception {
    TestExecutors.Pumped user = new TestExecutors.Pumped();
    pumped = user;
    Thread me = Thread.currentThread();
    List<String> elsewhere = new ArrayList<>();
    Host a = host(user);
    Host b = host(user);
    b.setStreamHandler(EchoHandler.PROTOCOL, new EchoHandler());
    List<CompletableFuture<?>> all = new ArrayList<>();
    // A callback registered before the future completes runs on the thread that completes it: as
    // only this thread runs the user executor's tasks, it must be this thread.
    java.util.function.Function<CompletableFuture<?>, CompletableFuture<?>> watch =
        f -> {
          f.whenComplete(
              (v, t) -> {
                if (Thread.currentThread() != me) {
                  elsewhere.add(Thread.currentThread().getName());
                }
              });
          all.add(f);
          return f;
        };
    watch.apply(a.start());
    user.pump(b.start());
    user.pump(all.get(0));
    PeerId peer = user.pump(cast(watch.apply(a.connect(b.listenAddresses().get(0)))));
    assertEquals(b.peerId(), peer);
    Stream s = user.pump(cast(watch.apply(a.newStream(b.peerId(), EchoHandler.PROTOCOL))));
    user.pump(cast(watch.apply(s.write(new byte[] {1, 2, 3}))));
    Optional<byte[]> back = user.pump(cast(watch.apply(s.readExactly(3))));
    assertArrayEquals(new byte[] {1, 2, 3}, back.orElseThrow());
    user.pump(cast(watch.apply(s.closeWrite())));
    user.pump(cast(watch.apply(a.ping(b.peerId()))));
    user.pump(cast(watch.apply(a.disconnect(b.peerId()))));
    user.pump(cast(watch.apply(a.stop())));
    user.pump(b.stop());
    assertEquals(Service.State.STOPPED, a.state());
    assertTrue(elsewhere.isEmpty(), "completed on " + elsewhere);
    for (CompletableFuture<?> f : all) {
      assertTrue(f.isDone());
    }
  }

  @SuppressWarnings("unchecked")
  private static <V> CompletableFuture<V> cast(CompletableFuture<?> f) {
    return (CompletableFuture<V>) f;
  }

  @Test
  void anInboundStreamWhoseHandlerTheExecutorRefusesIsResetNotRunOnTheEventLoop() throws Exception {
    Host a = host(pool);
    TestExecutors.Refusing bUser = new TestExecutors.Refusing(pool);
    Host b = host(bUser);
    AtomicInteger handled = new AtomicInteger();
    b.setStreamHandler(
        EchoHandler.PROTOCOL,
        s -> {
          handled.incrementAndGet();
          new EchoHandler().handle(s);
        });
    get(a.start());
    get(b.start());
    connectAndIdentify(a, b);

    bUser.refuse = true;
    Stream s = get(a.newStream(b.peerId(), EchoHandler.PROTOCOL));
    s.write(new byte[] {1});
    StreamException e = assertInstanceOf(StreamException.class, failure(s.readExactly(1)));
    assertEquals(StreamException.Reason.RESET, e.reason(), e.getMessage());
    assertEquals(0, handled.get(), "the handler never ran");
  }

  @Test
  void aReadWhoseCompletionTheExecutorRefusesFailsAndResetsTheStream() throws Exception {
    TestExecutors.Refusing aUser = new TestExecutors.Refusing(pool);
    Host a = host(aUser);
    Host b = host(pool);
    LinkedBlockingQueue<Stream> accepted = new LinkedBlockingQueue<>();
    b.setStreamHandler("/hold/1", accepted::add);
    get(a.start());
    get(b.start());
    connectAndIdentify(a, b);
    Stream s = get(a.newStream(b.peerId(), "/hold/1"));
    get(s.write(new byte[] {0}));
    Stream atB = accepted.poll(T, TimeUnit.SECONDS);
    assertNotNull(atB);
    assertArrayEquals(new byte[] {0}, get(atB.readExactly(1)).orElseThrow());

    aUser.refuse = true;
    CompletableFuture<Optional<byte[]>> read = s.readExactly(2);
    get(atB.write(new byte[] {7, 8}));
    // The bytes arrived, but the executor refused to hand them over: the read fails instead of
    // completing with them on the event loop, and the stream is reset.
    StreamException e = assertInstanceOf(StreamException.class, failure(read));
    assertEquals(StreamException.Reason.CLOSED, e.reason());
    assertTrue(e.getMessage().contains("refused"), e.getMessage());
    assertInstanceOf(RejectedExecutionException.class, e.getCause());
    StreamException atBRead = assertInstanceOf(StreamException.class, failure(atB.read()));
    assertEquals(StreamException.Reason.RESET, atBRead.reason(), atBRead.getMessage());
  }

  @Test
  void aDialOrStreamWhoseCompletionTheExecutorRefusesFails() throws Exception {
    TestExecutors.Refusing aUser = new TestExecutors.Refusing(pool);
    Host a = host(aUser);
    Host b = host(pool);
    b.setStreamHandler(EchoHandler.PROTOCOL, Stream::close);
    get(a.start());
    get(b.start());

    aUser.refuse = true;
    ConnectionException dial =
        assertInstanceOf(ConnectionException.class, failure(a.connect(b.listenAddresses().get(0))));
    assertEquals(ConnectionException.Reason.HOST_CLOSED, dial.reason());
    assertTrue(dial.getMessage().contains("refused"), dial.getMessage());

    // The connection itself was made; a stream on it is opened, then reset, as it cannot be handed
    // over.
    StreamException open =
        assertInstanceOf(
            StreamException.class, failure(a.newStream(b.peerId(), EchoHandler.PROTOCOL)));
    assertTrue(open.getMessage().contains("refused"), open.getMessage());
  }
}
