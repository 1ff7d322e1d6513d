package io.headersync.exchange.internal;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.exchange.Exchange;
import io.headersync.exchange.ExchangeException;
import io.headersync.exchange.PeerFailure;
import io.headersync.exchange.PeerRequestException;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerInfo;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exchange client's peers: which to ask for what, and what a failed request costs a peer.
 *
 * <ul>
 *   <li>Tracking: the {@link PeerTracker} holds the peers identify says serve the exchange protocol
 *       ({@link #listener()} while the exchange runs, {@link #trackConnected()} when it starts).
 *   <li>Selection: the trusted peers in random order, without those identified as not serving the
 *       protocol ({@link #shuffledTrusted()}); {@link #trustedOrTracked()} and {@link
 *       #trackedOrTrusted(int)} fall back on the other set when one is empty.
 *   <li>Accounting: {@link #penalize} lowers a peer's score, or blocks it through the {@link
 *       ConnectionGater} when its answer was invalid; {@link #firstSuccess} asks peers in parallel
 *       and penalizes the ones that fail.
 * </ul>
 *
 * <p>Logs under the {@link Exchange}'s logger. Thread-safe.
 */
public final class ExchangePeers {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  private final Host host;
  private final String protocolId;
  private final List<PeerId> trustedPeers;
  private final ConnectionGater gater;
  private final Random random;
  private final PeerTracker<PeerId> tracker;
  private final ConnectionListener listener =
      new ConnectionListener() {
        @Override
        public void identified(PeerInfo info) {
          if (info.protocols().contains(protocolId)) {
            tracker.connected(info.peer());
          }
        }

        @Override
        public void disconnected(PeerId peer) {
          tracker.disconnected(peer);
        }
      };

  /**
   * @param host tells which peers are connected and what they serve
   * @param protocolId the exchange protocol id a tracked peer must serve
   * @param trustedPeers the configured trusted peers
   * @param gater where invalid peers are blocked
   * @param random shuffles the trusted peers (used under its own lock)
   * @param clock the tracker's time source
   * @param maxTrackedPeers the most peers tracked
   * @param peerRetention how long a disconnected peer's score is kept
   */
  public ExchangePeers(
      Host host,
      String protocolId,
      List<PeerId> trustedPeers,
      ConnectionGater gater,
      Random random,
      Clock clock,
      int maxTrackedPeers,
      Duration peerRetention) {
    this.host = Objects.requireNonNull(host, "host == null");
    this.protocolId = Objects.requireNonNull(protocolId, "protocolId == null");
    this.trustedPeers = List.copyOf(trustedPeers);
    this.gater = Objects.requireNonNull(gater, "gater == null");
    this.random = Objects.requireNonNull(random, "random == null");
    this.tracker = new PeerTracker<>(clock, maxTrackedPeers, peerRetention, this::blockPeer);
  }

  /**
   * The tracker of the peers that serve the protocol, which range sessions share.
   *
   * @return the tracker
   */
  public PeerTracker<PeerId> tracker() {
    return tracker;
  }

  /**
   * The configured trusted peers.
   *
   * @return the trusted peers, unmodifiable
   */
  public List<PeerId> trustedPeers() {
    return trustedPeers;
  }

  /**
   * Tracks peers as identify reports them and forgets them (after the retention) as they
   * disconnect; add it to the host while the exchange runs.
   *
   * @return the listener, always the same one
   */
  public ConnectionListener listener() {
    return listener;
  }

  /** Tracks the peers already connected that serve the protocol, on the calling thread. */
  public void trackConnected() {
    for (PeerId p : host.connectedPeers()) {
      if (host.peerProtocols(p).contains(protocolId)) {
        tracker.connected(p);
      }
    }
  }

  /**
   * The trusted peers in random order, without those whose identify finished without listing the
   * exchange protocol (a seed that serves another network or only the DHT would only reset our
   * streams); a trusted peer not identified yet is kept.
   *
   * @return a new, mutable list
   */
  public List<PeerId> shuffledTrusted() {
    List<PeerId> peers = new ArrayList<>();
    for (PeerId p : trustedPeers) {
      if (host.peerInfo(p).map(i -> i.protocols().contains(protocolId)).orElse(true)) {
        peers.add(p);
      }
    }
    synchronized (random) {
      Collections.shuffle(peers, random);
    }
    return peers;
  }

  /**
   * The trusted peers ({@link #shuffledTrusted()}), else the usable tracked peers, best first.
   *
   * @return the peers to ask; empty when there are none
   */
  public List<PeerId> trustedOrTracked() {
    List<PeerId> peers = shuffledTrusted();
    return peers.isEmpty() ? tracker.usablePeers() : peers;
  }

  /**
   * The usable tracked peers, best first, else the trusted peers ({@link #shuffledTrusted()}), at
   * most {@code max} of them.
   *
   * @param max the most peers returned
   * @return the peers to ask; empty when there are none
   */
  public List<PeerId> trackedOrTrusted(int max) {
    List<PeerId> peers = tracker.usablePeers();
    if (peers.isEmpty()) {
      peers = shuffledTrusted();
    }
    return peers.size() > max ? peers.subList(0, max) : peers;
  }

  /**
   * Asks every peer of {@link #trustedOrTracked()} at once and completes with the first answer that
   * succeeds. A peer whose answer fails with a {@link PeerRequestException} is {@linkplain
   * #penalize penalized}; any other failure is the caller's own check failing and blames no peer.
   *
   * @param what what is asked for, for the failure messages
   * @param ask sends the request to one peer
   * @param <T> the answer type
   * @return the first success, on the thread that completed it; when every peer failed, a {@link
   *     PeerRequestException} NOT_FOUND if all said not found, else an {@link ExchangeException}
   *     listing each peer's failure (also when there is no peer to ask)
   */
  public <T> CompletableFuture<T> firstSuccess(
      String what, Function<PeerId, CompletableFuture<T>> ask) {
    List<PeerId> peers = trustedOrTracked();
    CompletableFuture<T> result = new CompletableFuture<>();
    if (peers.isEmpty()) {
      result.completeExceptionally(new ExchangeException("no peers to ask for " + what));
      return result;
    }
    int[] pending = {peers.size()};
    boolean[] allNotFound = {true};
    List<String> errors = new ArrayList<>();
    for (PeerId peer : peers) {
      ask.apply(peer)
          .whenComplete(
              (h, err) -> {
                if (err == null) {
                  result.complete(h);
                  return;
                }
                Throwable cause = unwrap(err);
                if (cause instanceof PeerRequestException) {
                  penalize(
                      peer,
                      cause); // anything else is a caller's check failing: not the peer's doing
                }
                synchronized (errors) {
                  errors.add(peer + ": " + cause.getMessage());
                  if (!(cause instanceof PeerRequestException
                      && ((PeerRequestException) cause).failure() == PeerFailure.NOT_FOUND)) {
                    allNotFound[0] = false;
                  }
                  if (--pending[0] == 0) {
                    result.completeExceptionally(
                        allNotFound[0]
                            ? new PeerRequestException(PeerFailure.NOT_FOUND, "no peer has " + what)
                            : new ExchangeException(
                                "no peer answered the request for " + what + ": " + errors));
                  }
                }
              });
    }
    return result;
  }

  /**
   * Lowers the score of a peer whose request failed, or blocks it when its answer was invalid.
   *
   * @param peer the peer
   * @param err the failure, possibly wrapped; anything but a {@link PeerRequestException} counts as
   *     a reset
   */
  public void penalize(PeerId peer, Throwable err) {
    Throwable cause = unwrap(err);
    PeerFailure kind =
        cause instanceof PeerRequestException
            ? ((PeerRequestException) cause).failure()
            : PeerFailure.RESET;
    if (kind == PeerFailure.INVALID) {
      if (!tracker.block(peer, cause.getMessage())) {
        blockPeer(peer, cause.getMessage()); // a trusted peer the tracker does not know
      }
    } else {
      tracker.onFailure(peer, kind, String.valueOf(cause.getMessage()));
    }
  }

  private void blockPeer(PeerId peer, String reason) {
    log.warn("blocking peer {}: {}", peer, reason);
    gater.blockPeer(peer);
  }
}
