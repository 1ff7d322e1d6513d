package io.headersync.libp2p.internal.host;

import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;

/** Ping ({@value #PROTOCOL}): echoes 32-byte payloads, and measures one round trip to a peer. */
final class Ping {
  /** Ping's protocol id. */
  static final String PROTOCOL = "/ipfs/ping/1.0.0";

  static final int SIZE = 32;

  private final Clock clock;
  private final SecureRandom random;
  private final BiFunction<PeerId, List<String>, CompletableFuture<Stream>> newStream;

  /**
   * @param newStream the host's {@code newStream} (futures on the user executor)
   */
  Ping(
      Clock clock,
      SecureRandom random,
      BiFunction<PeerId, List<String>, CompletableFuture<Stream>> newStream) {
    this.clock = clock;
    this.random = random;
    this.newStream = newStream;
  }

  /**
   * Echoes what the peer sends, 32 bytes at a time, until it closes (at most a minute of silence).
   */
  void serve(Stream s) {
    s.setDeadline(Duration.ofSeconds(60));
    s.readExactly(SIZE)
        .whenComplete(
            (o, t) -> {
              if (t != null) {
                s.reset();
              } else if (o.isEmpty()) {
                s.close();
              } else {
                s.write(o.get())
                    .whenComplete(
                        (v, t2) -> {
                          if (t2 != null) {
                            s.reset();
                          } else {
                            serve(s);
                          }
                        });
              }
            });
  }

  /** One round trip on a new stream; completes on the user executor. */
  CompletableFuture<Duration> ping(PeerId peer) {
    return newStream
        .apply(peer, List.of(PROTOCOL))
        .thenCompose(
            s -> {
              s.setDeadline(Duration.ofSeconds(10));
              byte[] payload = new byte[SIZE];
              random.nextBytes(payload);
              Instant start = clock.instant();
              return s.write(payload)
                  .thenCompose(v -> s.readExactly(SIZE))
                  .thenApply(
                      back -> {
                        Duration rtt = Duration.between(start, clock.instant());
                        if (back.isEmpty() || !Arrays.equals(back.get(), payload)) {
                          throw new CompletionException(
                              new StreamException(
                                  StreamException.Reason.CLOSED,
                                  "ping answer from " + peer + " does not match"));
                        }
                        return rtt;
                      })
                  .whenComplete(
                      (d, t) -> {
                        if (t != null) {
                          s.reset();
                        } else {
                          s.close();
                        }
                      });
            });
  }
}
