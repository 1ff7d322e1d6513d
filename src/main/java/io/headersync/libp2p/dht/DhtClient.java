package io.headersync.libp2p.dht;

import static io.headersync.libp2p.dht.DhtState.unwrap;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.dht.internal.Messages;
import io.headersync.libp2p.dht.internal.pb.DhtProto.Message;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The client side of a {@link Dht}: one request per new stream, dialling the peer first if need be,
 * the answer read within {@link DhtOptions#maxMessageSize()} and {@link
 * DhtOptions#requestTimeout()}. Stateless beyond the host and the peer store; completions run on
 * the host's user executor.
 */
final class DhtClient {
  /** Addresses tried when dialling a peer for a request. */
  private static final int MAX_DIAL_ADDRESSES = 4;

  private final DhtState state;

  DhtClient(DhtState state) {
    this.state = state;
  }

  /**
   * Sends one request on a new stream; with {@code expectResponse}, reads and checks the answer.
   */
  CompletableFuture<Message> send(PeerId peer, Message req, boolean expectResponse) {
    byte[] bytes = req.toByteArray();
    DhtOptions options = state.options;
    return connect(peer)
        .thenCompose(v -> state.host.newStream(peer, Dht.PROTOCOL))
        .thenCompose(
            s -> {
              s.setDeadline(options.requestTimeout());
              CompletableFuture<Message> out =
                  s.writeMessage(bytes)
                      .thenCompose(v -> s.closeWrite())
                      .thenCompose(
                          v -> {
                            if (!expectResponse) {
                              return CompletableFuture.completedFuture(null);
                            }
                            return s.readMessage(options.maxMessageSize())
                                .thenApply(b -> parseResponse(peer, req, b));
                          });
              return out.whenComplete(
                  (m, t) -> {
                    if (t != null) {
                      s.reset();
                    } else {
                      s.close();
                    }
                  });
            });
  }

  private static Message parseResponse(PeerId peer, Message req, Optional<byte[]> bytes) {
    try {
      if (bytes.isEmpty()) {
        throw new DhtException(
            DhtException.Reason.MALFORMED, peer + " closed the stream without answering");
      }
      Message m = Messages.parse(bytes.get());
      if (m.getType() != req.getType()) {
        throw new DhtException(
            DhtException.Reason.UNEXPECTED_RESPONSE,
            peer + " answered " + req.getType() + " with " + m.getType());
      }
      return m;
    } catch (DhtException e) {
      throw new CompletionException(e);
    }
  }

  /** Connected, or dials the addresses we know for {@code peer} in turn. */
  private CompletableFuture<Void> connect(PeerId peer) {
    if (state.host.connectedPeers().contains(peer)) {
      return CompletableFuture.completedFuture(null);
    }
    List<Multiaddr> addrs = state.peerStore.addresses(peer);
    if (addrs.isEmpty()) {
      return CompletableFuture.failedFuture(
          new DhtException(DhtException.Reason.LOOKUP_FAILED, "no address known for " + peer));
    }
    return dialInTurn(peer, addrs.subList(0, Math.min(addrs.size(), MAX_DIAL_ADDRESSES)), 0, null);
  }

  private CompletableFuture<Void> dialInTurn(
      PeerId peer, List<Multiaddr> addrs, int i, @Nullable Throwable last) {
    if (i >= addrs.size()) {
      return CompletableFuture.failedFuture(
          last != null
              ? last
              : new DhtException(
                  DhtException.Reason.LOOKUP_FAILED, "no address of " + peer + " answered"));
    }
    return state
        .host
        .connect(addrs.get(i).withPeerId(peer))
        .handle(
            (p, t) ->
                t == null
                    ? CompletableFuture.<Void>completedFuture(null)
                    : dialInTurn(peer, addrs, i + 1, unwrap(t)))
        .thenCompose(f -> f);
  }
}
