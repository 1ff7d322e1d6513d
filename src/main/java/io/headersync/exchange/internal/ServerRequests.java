package io.headersync.exchange.internal;

import io.headersync.Header;
import io.headersync.exchange.ExchangeProtocol;
import io.headersync.store.HeaderNotFoundException;
import io.headersync.store.Store;
import io.headersync.store.StoreException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What go-header v0.8.6's {@code ExchangeServer} answers to a request, decided against a store.
 *
 * <p>Head request (origin 0, amount at least 1): the store head, or a reset when the store is
 * empty. Range {@code [origin, origin + amount)} (uint64 arithmetic, wrapping as Go's does): a
 * reset when empty or inverted, or when larger than {@value
 * ExchangeProtocol#MAX_RANGE_REQUEST_SIZE}; NOT_FOUND when entirely above the head; truncated at
 * the head when it runs past it; NOT_FOUND when part of it is below the store's tail. By hash: the
 * header, or NOT_FOUND. A request with no oneof set, and any store failure, resets.
 *
 * <p>Runs on the caller's thread; the store reads may touch the disk, so never call it on a network
 * event loop.
 */
public final class ServerRequests {
  private ServerRequests() {}

  /** Decides the reply to {@code request} from {@code store}. */
  public static <H extends Header> Reply<H> handle(HeaderRequest request, Store<H> store) {
    Objects.requireNonNull(request, "request == null");
    Objects.requireNonNull(store, "store == null");
    try {
      switch (request.kind()) {
        case HASH:
          return store
              .get(request.hash())
              .map(h -> Reply.headers(List.of(h)))
              .orElseGet(Reply::notFound);
        case ORIGIN:
          return handleRange(request.origin(), request.origin() + request.amount(), store);
        default:
          return Reply.reset("request has neither origin nor hash set");
      }
    } catch (HeaderNotFoundException e) {
      return Reply.notFound();
    } catch (StoreException e) {
      return Reply.reset("store failed: " + e.getMessage());
    }
  }

  private static <H extends Header> Reply<H> handleRange(long from, long to, Store<H> store) {
    if (Long.compareUnsigned(from, to) >= 0) {
      return Reply.reset(
          "range mix-up: from "
              + Long.toUnsignedString(from)
              + " >= to "
              + Long.toUnsignedString(to));
    }
    if (from == 0) {
      Optional<H> head = store.head();
      return head.isPresent() ? Reply.headers(List.of(head.get())) : Reply.reset("store is empty");
    }
    long amount = to - from;
    if (Long.compareUnsigned(amount, ExchangeProtocol.MAX_RANGE_REQUEST_SIZE) > 0) {
      return Reply.reset(
          "headers limit exceeded: "
              + Long.toUnsignedString(amount)
              + " > "
              + ExchangeProtocol.MAX_RANGE_REQUEST_SIZE);
    }
    long last = to - 1;
    if (last < 0 || !store.hasAt(last)) {
      Optional<H> head = store.head();
      if (head.isEmpty()) {
        return Reply.reset("store is empty");
      }
      long headHeight = head.get().height();
      if (Long.compareUnsigned(headHeight, from) < 0) {
        return Reply.notFound();
      }
      if (last >= 0 && last <= headHeight) {
        // Below the tail. go-header sets to = head + 1 here (a range that can exceed 64 headers)
        // and
        // then fails to read it, answering NOT_FOUND; we answer the same without reading anything.
        return Reply.notFound();
      }
      to = headHeight + 1;
    }
    if (!store.hasAt(from)) {
      return Reply.notFound(); // starts below the tail (never stored, or pruned): nothing is read
    }
    return Reply.headers(store.getRange(from, to));
  }

  /**
   * The server's reply: headers to send one frame each, one NOT_FOUND frame, or a stream reset.
   *
   * @param <H> the header type
   */
  public static final class Reply<H extends Header> {
    /** The three shapes of a reply. */
    public enum Kind {
      HEADERS,
      NOT_FOUND,
      RESET
    }

    private final Kind kind;
    private final List<H> headers;
    private final String resetReason;

    private Reply(Kind kind, List<H> headers, String resetReason) {
      this.kind = kind;
      this.headers = headers;
      this.resetReason = resetReason;
    }

    static <H extends Header> Reply<H> headers(List<H> headers) {
      return new Reply<>(Kind.HEADERS, List.copyOf(headers), "");
    }

    static <H extends Header> Reply<H> notFound() {
      return new Reply<>(Kind.NOT_FOUND, List.of(), "");
    }

    static <H extends Header> Reply<H> reset(String reason) {
      return new Reply<>(Kind.RESET, List.of(), reason);
    }

    public Kind kind() {
      return kind;
    }

    /** The headers to send; empty unless {@link #kind()} is {@link Kind#HEADERS}. */
    public List<H> headers() {
      return headers;
    }

    /** Why the stream is reset; empty unless {@link #kind()} is {@link Kind#RESET}. */
    public String resetReason() {
      return resetReason;
    }

    @Override
    public String toString() {
      switch (kind) {
        case HEADERS:
          return "Reply{" + headers.size() + " headers}";
        case NOT_FOUND:
          return "Reply{NOT_FOUND}";
        default:
          return "Reply{RESET: " + resetReason + "}";
      }
    }
  }
}
