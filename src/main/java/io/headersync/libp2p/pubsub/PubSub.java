package io.headersync.libp2p.pubsub;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.ConnectionManager;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.pubsub.internal.FloodSubStrategy;
import io.headersync.libp2p.pubsub.internal.GossipSubRouter;
import io.headersync.libp2p.pubsub.internal.MessageSigning;
import io.headersync.libp2p.pubsub.internal.PeerScore;
import io.headersync.libp2p.pubsub.internal.RouterCounters;
import io.headersync.libp2p.pubsub.internal.RouterStrategy;
import io.headersync.libp2p.pubsub.internal.SeenCache;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import io.headersync.lifecycle.AbstractService;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A pubsub node on a {@link Host}, wire-compatible with go-libp2p-pubsub v0.16.0/v0.17.0, with a
 * FloodSub ({@link RouterKind#FLOODSUB}, the default) or a gossipsub ({@link RouterKind#GOSSIPSUB},
 * {@link Builder#gossipSub}) router.
 *
 * <h2>Streams</h2>
 *
 * When identify says a peer speaks one of the router's protocols, we open one long-lived outbound
 * stream to it and write only on that stream: first a hello RPC with our subscriptions, then every
 * subscription change and every message for it. Streams the peer opens to us are only read (never
 * written to or half-closed while the peer is connected: Go treats that as the peer dying). Each
 * RPC is a uvarint-framed protobuf bounded by {@link Builder#maxMessageSize}.
 *
 * <h2>Messages</h2>
 *
 * An incoming message passes, in order: the signature policy's shape check, a check that it is not
 * our own, a check that we subscribe to its topic, the seen cache (by message id, 120 s), then — on
 * the validation executor — the signature and the topic's validator. As in Go, an id is marked seen
 * only when its message is accepted. Accepted messages are delivered to our subscriptions and
 * forwarded: by FloodSub to every peer subscribed to the topic, by gossipsub to its mesh of the
 * topic and to floodsub peers of the topic; never to the peer it came from or its author.
 *
 * <h2>Gossipsub</h2>
 *
 * With {@link RouterKind#GOSSIPSUB} the router keeps a mesh per joined topic, gossips, grafts and
 * prunes with backoff, speaks IDONTWANT to v1.2 peers and, with {@link Builder#peerScore}, scores
 * peers (gossipsub v1.1) and graylists those below the threshold. Its heartbeat and the score decay
 * are scheduled on {@link Builder#scheduler} and run on the router thread. See {@link
 * GossipSubParams} for the parameters and {@code docs/protocol.md} ("Gossipsub") for details.
 *
 * <h2>Lifecycle</h2>
 *
 * A {@link io.headersync.lifecycle.Service}. {@link Builder#build()} makes it (NEW); {@link
 * #start()} registers the protocol handlers and the connection listener on the host, starts the
 * gossipsub timers and opens streams to peers already connected: start it before the host, so that
 * identify lists the pubsub protocols from the first connection. Subscriptions and validators may
 * be set up before {@code start()}; nothing reaches peers until then. {@link #stop()} closes the
 * streams, cancels the subscriptions, fails the waiting futures and stops the scheduler it owns
 * (also when it never started); {@link #close()} is {@code stop()} and a wait.
 *
 * <h2>Threads</h2>
 *
 * All router state is owned by the router executor: a serial executor over {@link
 * Builder#routerExecutor} (by default the host's user executor, {@link Host#executor()}), including
 * the gossipsub heartbeat and score decay. Signature checks and validators run on {@link
 * Builder#validationExecutor} and returned futures, subscription futures and the peer-exchange
 * dialer on {@link Builder#callbackExecutor} (both by default the host's user executor too). No
 * thread of its own but the default scheduler; never the common fork-join pool. Public methods may
 * be called from any thread. A task an executor refuses (it was shut down) fails the future waiting
 * for it with a {@link PubSubException} ({@code CLOSED}); an inbound stream the router cannot take
 * is reset.
 */
public final class PubSub extends AbstractService {
  /** Go's {@code DefaultMaxMessageSize}: 1 MiB. */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 1 << 20;

  /** ev-node's limit ({@code DefaultMaxBlobSize}): 5 MiB. */
  public static final int EVNODE_MAX_MESSAGE_SIZE = 5 << 20;

  private final Host host;
  private final PrivateKey identity;
  private final PeerId self;
  private final RouterStrategy strategy;
  private final SignaturePolicy policy;
  private final int maxMessageSize;
  private final Router router;
  private final @Nullable ScheduledExecutorService ownedScheduler;
  private final AtomicLong seqno;
  private final AtomicBoolean stopping = new AtomicBoolean();

  private PubSub(
      Builder b,
      ScheduledExecutorService scheduler,
      @Nullable ScheduledExecutorService ownedScheduler) {
    super(
        "pubsub " + b.kind + " on " + b.host.peerId(),
        b.callbackExecutor != null ? b.callbackExecutor : b.host.executor());
    this.host = b.host;
    this.identity = b.identity;
    this.self = host.peerId();
    this.policy = b.policy;
    this.maxMessageSize = b.maxMessageSize;
    this.ownedScheduler = ownedScheduler;
    RouterCounters counters = new RouterCounters();
    SeenCache seen = new SeenCache(b.clock, b.seenTtl, b.seenCapacity);
    GossipSubRouter gossip = null;
    if (b.kind == RouterKind.GOSSIPSUB) {
      PeerScore score =
          b.scoreParams == null
              ? null
              : new PeerScore(b.scoreParams, b.clock, b.seenTtl.toMillis());
      gossip =
          new GossipSubRouter(
              b.gossipParams,
              b.thresholds,
              score,
              b.clock,
              b.random,
              scheduler,
              counters,
              b.maxMessageSize,
              id -> seen.contains(id.toByteArray()));
      this.strategy = gossip;
    } else {
      this.strategy = new FloodSubStrategy();
    }
    this.router = new Router(b, strategy, gossip, seen, counters, scheduler);
    // Before any router task: nothing can run on the router yet.
    strategy.attach(new StrategyContext(router, b.peerExchangeDialer));
    // Go starts the counter at time.Now().UnixNano().
    Instant now = b.clock.instant();
    this.seqno = new AtomicLong(now.getEpochSecond() * 1_000_000_000L + now.getNano());
  }

  /**
   * A builder for a pubsub router on {@code host}.
   *
   * @param host the host (build the router before starting it)
   * @param identity the host's key, which signs our messages
   * @return a builder with the defaults of {@link Builder}
   */
  public static Builder builder(Host host, PrivateKey identity) {
    return new Builder(host, identity);
  }

  /** Registers the protocol handlers and the listener, then starts the timers and opens streams. */
  @Override
  protected CompletableFuture<Void> doStart() {
    for (String p : strategy.protocols()) {
      host.setStreamHandler(p, router.streams::inboundStream);
    }
    host.addConnectionListener(router.streams.listener);
    return router.start();
  }

  /**
   * Unregisters from the host, closes streams, subscriptions and waiters, stops the owned
   * scheduler.
   */
  @Override
  protected CompletableFuture<Void> doStop() {
    stopping.set(true);
    for (String p : strategy.protocols()) {
      host.removeStreamHandler(p);
    }
    host.removeConnectionListener(router.streams.listener);
    return router
        .close()
        .whenComplete(
            (v, t) -> {
              if (ownedScheduler != null) {
                ownedScheduler.shutdownNow();
              }
            });
  }

  /**
   * The protocols this router speaks.
   *
   * @return protocol ids, preferred first
   */
  public List<String> protocols() {
    return strategy.protocols();
  }

  /**
   * A handle on {@code topic}.
   *
   * @param topic the topic name
   * @return the handle
   */
  public Topic join(String topic) {
    return new Topic(this, Objects.requireNonNull(topic, "topic == null"));
  }

  /**
   * Subscribes to {@code topic}; the first subscription of a topic announces it to every peer.
   * Messages arrive from the time the router handles the request.
   *
   * @param topic the topic name
   * @return the subscription; already cancelled if the router is stopping
   */
  public Subscription subscribe(String topic) {
    Objects.requireNonNull(topic, "topic == null");
    if (stopping.get()) {
      Subscription sub = new Subscription(topic, 1, router.callbacks(), () -> {});
      sub.terminate();
      return sub;
    }
    return router.subscribe(topic);
  }

  /**
   * Publishes {@code data} on {@code topic}: signs it per the policy, runs the topic's validator,
   * delivers it to our own subscriptions and sends it to every peer subscribed to the topic.
   *
   * @param topic the topic name
   * @param data the payload
   * @return completes (on the callback executor) when the message was handed to the peers' streams;
   *     fails with {@link PubSubException}
   */
  public CompletableFuture<Void> publish(String topic, byte[] data) {
    Objects.requireNonNull(topic, "topic == null");
    Objects.requireNonNull(data, "data == null");
    if (stopping.get()) {
      return CompletableFuture.failedFuture(Router.closedException());
    }
    PubsubProto.Message wire =
        policy == SignaturePolicy.STRICT_SIGN
            ? MessageSigning.sign(identity, seqno.incrementAndGet(), topic, data)
            : MessageSigning.unsigned(topic, data);
    int size = PubsubProto.RPC.newBuilder().addPublish(wire).build().getSerializedSize();
    if (size > maxMessageSize) {
      return CompletableFuture.failedFuture(
          new PubSubException(
              PubSubException.Reason.TOO_LARGE,
              "RPC of " + size + " bytes is over the maximum of " + maxMessageSize));
    }
    Message m = MessageSigning.toMessage(wire, self);
    Message withId = m.withId(router.validation.idFunction(topic).apply(m));
    CompletableFuture<Void> result = new CompletableFuture<>();
    router.execute(
        () -> {
          if (router.closed()) {
            router.fail(result, Router.closedException());
            return;
          }
          router
              .validation
              .validate(self, wire, withId, false)
              .whenComplete(
                  (r, e) ->
                      router.execute(
                          () -> {
                            if (e != null) {
                              router.fail(
                                  result,
                                  new PubSubException(
                                      PubSubException.Reason.CLOSED,
                                      "the validation executor refused our message: "
                                          + e.getMessage()));
                            } else if (r == ValidationResult.ACCEPT
                                && !router.seen.add(withId.id())) {
                              router.complete(
                                  result, null); // an id already seen: Go drops it silently too
                            } else if (r != ValidationResult.ACCEPT) {
                              router.fail(
                                  result,
                                  new PubSubException(
                                      r == ValidationResult.IGNORE
                                          ? PubSubException.Reason.IGNORED
                                          : PubSubException.Reason.REJECTED,
                                      "our own message was "
                                          + r
                                          + " by the validator of "
                                          + topic));
                            } else {
                              router.route(self, wire, withId);
                              router.complete(result, null);
                            }
                          },
                          result));
        },
        result);
    return result;
  }

  /**
   * Sets the validator of {@code topic}, replacing any earlier one (Go allows one per topic).
   *
   * @param topic the topic name
   * @param validator runs on the validation executor for each message of the topic, ours included
   */
  public void registerValidator(String topic, Validator validator) {
    router.validation.register(
        Objects.requireNonNull(topic, "topic == null"),
        Objects.requireNonNull(validator, "validator == null"));
  }

  /**
   * Removes the validator of {@code topic}, if any.
   *
   * @param topic the topic name
   */
  public void unregisterValidator(String topic) {
    router.validation.unregister(topic);
  }

  /**
   * The peers known to be subscribed to {@code topic} (Go's {@code ListPeers}).
   *
   * @param topic the topic name
   * @return a snapshot, on the callback executor
   */
  public CompletableFuture<Set<PeerId>> peers(String topic) {
    return query(
        () -> {
          Set<PeerId> out = new java.util.HashSet<>();
          for (PeerId p : router.streams.knownPeers()) {
            if (router.streams.topicsOf(p).contains(topic)) {
              out.add(p);
            }
          }
          return Set.copyOf(out);
        });
  }

  /**
   * Completes once {@code peer} is subscribed to {@code topic} and our outbound stream to it is
   * open, so that our next publish on the topic reaches it.
   *
   * @param topic the topic name
   * @param peer the peer
   * @return completes on the callback executor; fails with {@link PubSubException} when stopped
   */
  public CompletableFuture<Void> awaitPeer(String topic, PeerId peer) {
    return await(topic, peer, false);
  }

  /**
   * Completes once {@code peer} is in our gossipsub mesh of {@code topic} (by our GRAFT or its
   * own), so that messages we forward on the topic reach it. Never completes under FloodSub, which
   * has no mesh; use {@link #awaitPeer} there.
   *
   * @param topic the topic name
   * @param peer the peer
   * @return completes on the callback executor; fails with {@link PubSubException} when stopped
   */
  public CompletableFuture<Void> awaitMeshPeer(String topic, PeerId peer) {
    return await(topic, peer, true);
  }

  private CompletableFuture<Void> await(String topic, PeerId peer, boolean mesh) {
    Objects.requireNonNull(topic, "topic == null");
    Objects.requireNonNull(peer, "peer == null");
    if (stopping.get()) {
      return CompletableFuture.failedFuture(Router.closedException());
    }
    return router.await(topic, peer, mesh);
  }

  /**
   * RPCs not sent because the peer's queue of unfinished writes was full.
   *
   * @return the count since the router was built
   */
  public long droppedOutbound() {
    return router.streams.droppedOutbound();
  }

  /**
   * Messages dropped because too many validations were running.
   *
   * @return the count since the router was built
   */
  public long throttled() {
    return router.validation.throttled();
  }

  /**
   * A snapshot of the counters.
   *
   * @return the counters now
   */
  public PubSubStats stats() {
    RouterCounters c = router.counters;
    return new PubSubStats(
        c.messagesReceived.get(),
        c.duplicates.get(),
        c.delivered.get(),
        c.rejected.get(),
        c.ignored.get(),
        throttled(),
        droppedOutbound(),
        c.graylistedRpcs.get(),
        c.graftsReceived.get(),
        c.prunesReceived.get(),
        c.gossipIgnored.get(),
        c.controlTruncated.get(),
        c.brokenPromises.get(),
        c.idontwantSent.get(),
        c.skippedForIdontwant.get(),
        c.pxRecordsAccepted.get());
  }

  /**
   * Our gossipsub mesh peers of {@code topic}.
   *
   * @param topic the topic name
   * @return a snapshot (always empty under FloodSub), on the callback executor
   */
  public CompletableFuture<Set<PeerId>> meshPeers(String topic) {
    Objects.requireNonNull(topic, "topic == null");
    GossipSubRouter g = router.gossip;
    return query(() -> g == null ? Set.of() : g.meshPeers(topic));
  }

  /**
   * For a {@link ConnectionManager}: each pubsub peer's gossipsub score (0 without scoring), and
   * protected when it is in one of our meshes (go-libp2p-pubsub protects mesh peers in the
   * connection manager the same way).
   *
   * @return a value per peer we have pubsub streams with, on the callback executor
   */
  public CompletableFuture<Map<PeerId, ConnectionManager.PeerValue>> connectionValues() {
    GossipSubRouter g = router.gossip;
    return query(
        () -> {
          Map<PeerId, ConnectionManager.PeerValue> out = new HashMap<>();
          for (PeerId p : router.streams.knownPeers()) {
            out.put(
                p,
                new ConnectionManager.PeerValue(
                    g == null ? 0 : g.score(p), g != null && g.inAnyMesh(p)));
          }
          return out;
        });
  }

  /**
   * Our gossipsub fanout peers of {@code topic}.
   *
   * @param topic the topic name
   * @return a snapshot (always empty under FloodSub), on the callback executor
   */
  public CompletableFuture<Set<PeerId>> fanoutPeers(String topic) {
    Objects.requireNonNull(topic, "topic == null");
    GossipSubRouter g = router.gossip;
    return query(() -> g == null ? Set.of() : g.fanoutPeers(topic));
  }

  /**
   * Our score of {@code peer} (Go's {@code WithPeerScoreInspect}).
   *
   * @param peer the peer
   * @return the score (0 without scoring), on the callback executor
   */
  public CompletableFuture<Double> score(PeerId peer) {
    Objects.requireNonNull(peer, "peer == null");
    GossipSubRouter g = router.gossip;
    return query(() -> g == null ? 0.0 : g.score(peer));
  }

  private <T> CompletableFuture<T> query(Supplier<T> question) {
    if (stopping.get()) {
      return CompletableFuture.failedFuture(Router.closedException());
    }
    return router.query(question);
  }

  /**
   * For tests: completes once {@code count} RPCs from {@code peer} were handled (dropped ones
   * included), so a test knows the router has seen what a hand-driven peer wrote.
   */
  CompletableFuture<Void> awaitRpcs(PeerId peer, long count) {
    return router.awaitRpcs(peer, count);
  }

  @Override
  public String toString() {
    return "PubSub{" + self + ", " + strategy.protocols() + "}";
  }

  /**
   * Configures a {@link PubSub}: the setters (with their defaults) are documented where they are
   * declared; {@link #build()} makes the router, {@link PubSub#start()} starts it.
   */
  public static final class Builder extends PubSubSettings {
    private Builder(Host host, PrivateKey identity) {
      super(host, identity);
    }

    @Override
    Builder self() {
      return this;
    }

    /**
     * Builds the router, NEW: {@link PubSub#start()} registers it on the host. If building fails,
     * the scheduler it made is shut down again.
     *
     * @return the router
     * @throws IllegalStateException if the identity is not the host's, or scoring is asked of
     *     FloodSub
     */
    public PubSub build() {
      if (!identity.peerId().equals(host.peerId())) {
        throw new IllegalStateException(
            "identity " + identity.peerId() + " is not the host's " + host.peerId());
      }
      if (scoreParams != null && kind != RouterKind.GOSSIPSUB) {
        throw new IllegalStateException("peer scoring needs the GOSSIPSUB router, not " + kind);
      }
      ScheduledExecutorService given = scheduler;
      ScheduledExecutorService owned =
          given != null
              ? null
              : Executors.newSingleThreadScheduledExecutor(
                  r -> {
                    Thread t = new Thread(r, "pubsub-heartbeat");
                    t.setDaemon(true);
                    return t;
                  });
      try {
        return new PubSub(this, given != null ? given : owned, owned);
      } catch (RuntimeException | Error e) {
        if (owned != null) {
          owned.shutdownNow();
        }
        throw e;
      }
    }
  }
}
