package io.headersync.exchange.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Hash;
import io.headersync.exchange.internal.ServerRequests.Reply;
import io.headersync.store.InMemoryStore;
import io.headersync.testkit.DummyChain;
import io.headersync.testkit.DummyHeader;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** go-header v0.8.6 {@code ExchangeServer} semantics, reply by reply. */
class ServerRequestsTest {
  private final List<DummyHeader> chain =
      new DummyChain(Instant.parse("2026-01-01T00:00:00Z")).next(200);

  /** A store holding heights [tail, head] of the chain. */
  private InMemoryStore<DummyHeader> store(int tail, int head) {
    InMemoryStore<DummyHeader> store = new InMemoryStore<>();
    store.append(chain.subList(tail - 1, head)).join();
    return store;
  }

  private static HeaderRequest range(long origin, long amount) {
    return HeaderRequest.range(origin, amount);
  }

  @Test
  void headRequestReturnsTheHead() {
    Reply<DummyHeader> r = ServerRequests.handle(range(0, 1), store(1, 100));
    assertEquals(Reply.Kind.HEADERS, r.kind());
    assertEquals(List.of(chain.get(99)), r.headers());
  }

  @Test
  void headRequestIgnoresAnAmountAboveOne() {
    assertEquals(
        List.of(chain.get(99)), ServerRequests.handle(range(0, 5), store(1, 100)).headers());
  }

  @Test
  void headRequestOnAnEmptyStoreResets() {
    Reply<DummyHeader> r = ServerRequests.handle(range(0, 1), new InMemoryStore<>());
    assertEquals(Reply.Kind.RESET, r.kind());
    assertTrue(r.resetReason().contains("empty"), r.resetReason());
  }

  @Test
  void zeroAmountResets() {
    assertEquals(Reply.Kind.RESET, ServerRequests.handle(range(0, 0), store(1, 100)).kind());
    assertEquals(Reply.Kind.RESET, ServerRequests.handle(range(5, 0), store(1, 100)).kind());
  }

  @Test
  void wrappingRangeResets() {
    assertEquals(Reply.Kind.RESET, ServerRequests.handle(range(-1L, 2), store(1, 100)).kind());
  }

  @Test
  void servesAFullRange() {
    Reply<DummyHeader> r = ServerRequests.handle(range(10, 64), store(1, 100));
    assertEquals(chain.subList(9, 73), r.headers());
  }

  @Test
  void resetsARangeOfSixtyFiveHeaders() {
    Reply<DummyHeader> r = ServerRequests.handle(range(10, 65), store(1, 100));
    assertEquals(Reply.Kind.RESET, r.kind());
    assertTrue(r.resetReason().contains("65 > 64"), r.resetReason());
  }

  @Test
  void servesPartialRangeWhenHeadIsLower() {
    Reply<DummyHeader> r = ServerRequests.handle(range(90, 64), store(1, 100));
    assertEquals(chain.subList(89, 100), r.headers());
  }

  @Test
  void answersNotFoundAboveTheHead() {
    assertEquals(Reply.Kind.NOT_FOUND, ServerRequests.handle(range(101, 10), store(1, 100)).kind());
    assertEquals(
        Reply.Kind.NOT_FOUND,
        ServerRequests.handle(range(Long.MAX_VALUE, 1), store(1, 100)).kind());
  }

  @Test
  void answersNotFoundBelowTheTail() {
    assertEquals(Reply.Kind.NOT_FOUND, ServerRequests.handle(range(5, 10), store(50, 100)).kind());
    assertEquals(
        Reply.Kind.NOT_FOUND,
        ServerRequests.handle(range(45, 10), store(50, 100)).kind(),
        "a range straddling the tail");
  }

  @Test
  void servesByHashAndIgnoresTheAmount() {
    HeaderRequest byHash =
        ExchangeWire.parseRequest(
            ExchangeProto.HeaderRequest.newBuilder()
                .setHash(
                    com.google.protobuf.ByteString.copyFrom(chain.get(41).hash().toByteArray()))
                .setAmount(7)
                .build()
                .toByteArray());
    assertEquals(List.of(chain.get(41)), ServerRequests.handle(byHash, store(1, 100)).headers());
  }

  @Test
  void answersNotFoundForAnUnknownHash() {
    HeaderRequest byHash =
        ExchangeWire.parseRequest(
            ExchangeProto.HeaderRequest.newBuilder()
                .setHash(com.google.protobuf.ByteString.copyFrom(Hash.parse("ABCD").toByteArray()))
                .setAmount(1)
                .build()
                .toByteArray());
    assertEquals(Reply.Kind.NOT_FOUND, ServerRequests.handle(byHash, store(1, 100)).kind());
  }

  @Test
  void resetsARequestWithoutOriginOrHash() {
    HeaderRequest unset = ExchangeWire.parseRequest(new byte[] {0x18, 0x01});
    assertEquals(Reply.Kind.RESET, ServerRequests.handle(unset, store(1, 100)).kind());
  }

  @Test
  void answersNotFoundBelowAPrunedTailWithoutReadingTheStore() {
    InMemoryStore<DummyHeader> store = store(1, 200);
    store.deleteTo(120).join();
    List<String> reads = new java.util.ArrayList<>();
    @SuppressWarnings("unchecked")
    io.headersync.store.Store<DummyHeader> counting =
        (io.headersync.store.Store<DummyHeader>)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {io.headersync.store.Store.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("getRange")
                      || method.getName().equals("getByHeight")) {
                    reads.add(method.getName());
                  }
                  try {
                    return method.invoke(store, args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    assertEquals(
        Reply.Kind.NOT_FOUND,
        ServerRequests.handle(range(50, 10), counting).kind(),
        "wholly pruned");
    assertEquals(
        Reply.Kind.NOT_FOUND,
        ServerRequests.handle(range(100, 64), counting).kind(),
        "straddling the tail");
    assertEquals(
        Reply.Kind.NOT_FOUND,
        ServerRequests.handle(range(119, 1), counting).kind(),
        "just below the tail");
    assertEquals(List.of(), reads);
    assertEquals(
        Reply.Kind.NOT_FOUND,
        ServerRequests.handle(HeaderRequest.hash(chain.get(60).hash(), 1), counting).kind(),
        "a pruned header by hash");
    assertEquals(
        List.of(chain.get(119)),
        ServerRequests.handle(range(120, 1), counting).headers(),
        "the tail");
  }
}
