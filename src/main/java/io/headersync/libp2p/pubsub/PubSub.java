package io.headersync.libp2p.pubsub;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerIdFormatException;
import io.headersync.libp2p.PeerInfo;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.pubsub.internal.FloodSubStrategy;
import io.headersync.annotation.Nullable;
import io.headersync.libp2p.pubsub.internal.GossipSubRouter;
import io.headersync.libp2p.pubsub.internal.MessageSigning;
import io.headersync.libp2p.pubsub.internal.PeerScore;
import io.headersync.libp2p.pubsub.internal.RouterContext;
import io.headersync.libp2p.pubsub.internal.RouterCounters;
import io.headersync.libp2p.pubsub.internal.RouterStrategy;
import io.headersync.libp2p.pubsub.internal.SeenCache;
import io.headersync.libp2p.internal.SerialExecutor;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pubsub node on a {@link Host}, wire-compatible with go-libp2p-pubsub v0.16.0/v0.17.0, with a
 * FloodSub ({@link RouterKind#FLOODSUB}, the default) or a gossipsub ({@link RouterKind#GOSSIPSUB},
 * {@link Builder#gossipSub}) router.
 *
 * <h2>Streams</h2>
 * When identify says a peer speaks one of the router's protocols, we open one long-lived outbound
 * stream to it and write only on that stream: first a hello RPC with our subscriptions, then every
 * subscription change and every message for it. Streams the peer opens to us are only read (never
 * written to or half-closed while the peer is connected: Go treats that as the peer dying). Each
 * RPC is a uvarint-framed protobuf bounded by {@link Builder#maxMessageSize}.
 *
 * <h2>Messages</h2>
 * An incoming message passes, in order: the signature policy's shape check, a check that it is not
 * our own, a check that we subscribe to its topic, the seen cache (by message id, 120 s), then —
 * on the validation executor — the signature and the topic's validator. As in Go, an id is marked
 * seen only when its message is accepted. Accepted messages are
 * delivered to our subscriptions and forwarded: by FloodSub to every peer subscribed to the topic,
 * by gossipsub to its mesh of the topic and to floodsub peers of the topic; never to the peer it
 * came from or its author.
 *
 * <h2>Gossipsub</h2>
 * With {@link RouterKind#GOSSIPSUB} the router keeps a mesh per joined topic, gossips, grafts and
 * prunes with backoff, speaks IDONTWANT to v1.2 peers and, with {@link Builder#peerScore}, scores
 * peers (gossipsub v1.1) and graylists those below the threshold. Its heartbeat and the score decay
 * are scheduled on {@link Builder#scheduler} and run on the router thread. See {@link
 * GossipSubParams} for the parameters and {@code docs/protocol.md} ("Gossipsub") for details.
 *
 * <h2>Threads</h2>
 * All router state is owned by the router executor (a single thread or a serial view of the given
 * executor), including the gossipsub heartbeat and score decay. Public methods may be called from
 * any thread; returned futures complete on the callback executor; subscription futures too.
 */
public final class PubSub implements AutoCloseable {
  /** Go's {@code DefaultMaxMessageSize}: 1 MiB. */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 1 << 20;
  /** ev-node's limit ({@code DefaultMaxBlobSize}): 5 MiB. */
  public static final int EVNODE_MAX_MESSAGE_SIZE = 5 << 20;

  /** Copies of a message being validated kept in case it turns out invalid. */
  private static final int MAX_HELD_COPIES = 4;

  /** Topics remembered per peer; further subscriptions of the peer are ignored. */
  private static final int MAX_PEER_TOPICS = 1024;

  /** How often an outbound stream that failed is re-opened while the peer stays connected. */
  private static final int MAX_REOPENS = 3;

  private static final Logger log = LoggerFactory.getLogger(PubSub.class);

  private final Host host;
  private final PrivateKey identity;
  private final PeerId self;
  private final RouterStrategy strategy;
  private final SignaturePolicy policy;
  private final int maxMessageSize;
  private final int subscriptionCapacity;
  private final int maxConcurrentValidations;
  private final Duration validationTimeout;
  private final MessageIdFunction defaultIdFunction;
  private final Map<String, MessageIdFunction> idFunctions;
  private final Executor router;
  private final ScheduledExecutorService scheduler;
  private final Random random;
  private final java.util.function.@Nullable Consumer<List<PeerId>> peerExchangeDialer;
  private final Executor validation;
  private final Executor callbacks;
  private final List<ExecutorService> owned = new ArrayList<>();
  private final ConnectionListener listener = new Listener();
  private final Map<String, Validator> validators = new ConcurrentHashMap<>();
  private final AtomicInteger validationsInFlight = new AtomicInteger();
  private final AtomicLong seqno;
  private final AtomicLong throttled = new AtomicLong();
  private final AtomicBoolean closeCalled = new AtomicBoolean();
  private final AtomicLong droppedOutbound = new AtomicLong();
  private final RouterCounters counters = new RouterCounters();
  private final int peerQueueSize;
  private final GossipSubRouter gossip;
  private final Map<com.google.protobuf.ByteString, List<HeldCopy>> inValidation = new HashMap<>();
  private final Set<PeerId> outboundPeers = new HashSet<>();
  private final Map<PeerId, String> peerIps = new HashMap<>();

  // Router state: touched on the router executor only.
  private final Map<PeerId, PeerState> peers = new HashMap<>();
  private final Map<String, List<Subscription>> subscriptions = new LinkedHashMap<>();
  private final List<PeerWaiter> peerWaiters = new ArrayList<>();
  private final List<RpcWaiter> rpcWaiters = new ArrayList<>();
  private final List<PeerWaiter> meshWaiters = new ArrayList<>();
  private final SeenCache seen;
  private boolean closed;

  private PubSub(Builder b) {
    this.host = b.host;
    this.identity = b.identity;
    this.self = host.peerId();
    this.policy = b.policy;
    this.maxMessageSize = b.maxMessageSize;
    this.subscriptionCapacity = b.subscriptionCapacity;
    this.peerQueueSize = b.peerQueueSize;
    this.maxConcurrentValidations = b.maxConcurrentValidations;
    this.validationTimeout = b.validationTimeout;
    this.defaultIdFunction = b.defaultIdFunction;
    this.idFunctions = Map.copyOf(b.idFunctions);
    Executor raw;
    if (b.routerExecutor != null) {
      raw = new SerialExecutor(b.routerExecutor);
    } else {
      ExecutorService e = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pubsub-router-" + self.toBase58().substring(0, 8));
        t.setDaemon(true);
        return t;
      });
      owned.add(e);
      raw = e;
    }
    // After close our own router thread is gone: late stream and connection events are dropped.
    this.router = task -> {
      try {
        raw.execute(task);
      } catch (RejectedExecutionException e) {
        log.trace("router closed; dropping a task");
      }
    };
    if (b.validationExecutor != null) {
      this.validation = b.validationExecutor;
    } else {
      ExecutorService e = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "pubsub-validation");
        t.setDaemon(true);
        return t;
      });
      owned.add(e);
      this.validation = e;
    }
    this.callbacks = b.callbackExecutor != null ? b.callbackExecutor : ForkJoinPool.commonPool();
    this.seen = new SeenCache(b.clock, b.seenTtl, b.seenCapacity);
    ScheduledExecutorService scheduler = b.scheduler;
    if (scheduler == null) {
      scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pubsub-heartbeat");
        t.setDaemon(true);
        return t;
      });
      owned.add(scheduler);
    }
    this.scheduler = scheduler;
    this.random = b.random;
    this.peerExchangeDialer = b.peerExchangeDialer;
    if (b.kind == RouterKind.GOSSIPSUB) {
      PeerScore score = b.scoreParams == null ? null
          : new PeerScore(b.scoreParams, b.clock, b.seenTtl.toMillis());
      this.gossip = new GossipSubRouter(b.gossipParams, b.thresholds, score, b.clock, b.random, scheduler,
          counters, b.maxMessageSize, id -> seen.contains(id.toByteArray()));
      this.strategy = gossip;
    } else {
      this.gossip = null;
      this.strategy = new FloodSubStrategy();
    }
    // Go starts the counter at time.Now().UnixNano().
    java.time.Instant now = b.clock.instant();
    long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    this.seqno = new AtomicLong(nanos);
  }

  public static Builder builder(Host host, PrivateKey identity) {
    return new Builder(host, identity);
  }

  private void start() {
    router.execute(() -> strategy.start(new Context()));
    for (String p : strategy.protocols()) {
      host.setStreamHandler(p, stream -> router.execute(() -> onInboundStream(stream)));
    }
    host.addConnectionListener(listener);
    router.execute(() -> {
      for (PeerId p : host.connectedPeers()) {
        maybeOpen(p, host.peerProtocols(p));
      }
    });
  }

  /** The protocols this router speaks, preferred first. */
  public List<String> protocols() {
    return strategy.protocols();
  }

  /** A handle on {@code topic}. */
  public Topic join(String topic) {
    return new Topic(this, Objects.requireNonNull(topic, "topic == null"));
  }

  /**
   * Subscribes to {@code topic}; the first subscription of a topic announces it to every peer.
   * Messages arrive from the time the router handles the request.
   */
  public Subscription subscribe(String topic) {
    Objects.requireNonNull(topic, "topic == null");
    Subscription[] holder = new Subscription[1];
    Subscription sub = new Subscription(topic, subscriptionCapacity, callbacks,
        () -> router.execute(() -> removeSubscription(holder[0])));
    holder[0] = sub;
    if (closeCalled.get()) {
      sub.terminate();
      return sub;
    }
    router.execute(() -> {
      if (closed) {
        sub.terminate();
        return;
      }
      List<Subscription> list = subscriptions.computeIfAbsent(topic, t -> new ArrayList<>());
      list.add(sub);
      if (list.size() == 1) {
        announce(topic, true);
        strategy.join(topic);
        checkMeshWaiters();
      }
    });
    return sub;
  }

  /**
   * Publishes {@code data} on {@code topic}: signs it per the policy, runs the topic's validator,
   * delivers it to our own subscriptions and sends it to every peer subscribed to the topic. The
   * future completes when the message was handed to the peers' streams, or fails with {@link
   * PubSubException}.
   */
  public CompletableFuture<Void> publish(String topic, byte[] data) {
    Objects.requireNonNull(topic, "topic == null");
    Objects.requireNonNull(data, "data == null");
    if (closeCalled.get()) {
      return CompletableFuture.failedFuture(new PubSubException(PubSubException.Reason.CLOSED, "pubsub closed"));
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    PubsubProto.Message wire = policy == SignaturePolicy.STRICT_SIGN
        ? MessageSigning.sign(identity, seqno.incrementAndGet(), topic, data)
        : MessageSigning.unsigned(topic, data);
    int size = PubsubProto.RPC.newBuilder().addPublish(wire).build().getSerializedSize();
    if (size > maxMessageSize) {
      return CompletableFuture.failedFuture(new PubSubException(PubSubException.Reason.TOO_LARGE,
          "RPC of " + size + " bytes is over the maximum of " + maxMessageSize));
    }
    Message m = MessageSigning.toMessage(wire, self);
    Message withId = m.withId(idFunction(topic).apply(m));
    router.execute(() -> {
      if (closed) {
        fail(result, new PubSubException(PubSubException.Reason.CLOSED, "pubsub closed"));
        return;
      }
      validate(self, wire, withId, false).whenCompleteAsync((r, e) -> {
        if (r == ValidationResult.ACCEPT && !seen.add(withId.id())) {
          complete(result, null); // an id already seen: Go drops it silently too
          return;
        }
        if (r != ValidationResult.ACCEPT) {
          fail(result, new PubSubException(
              r == ValidationResult.IGNORE ? PubSubException.Reason.IGNORED : PubSubException.Reason.REJECTED,
              "our own message was " + r + " by the validator of " + topic));
          return;
        }
        route(self, wire, withId);
        complete(result, null);
      }, router);
    });
    return result;
  }

  /**
   * Sets the validator of {@code topic}, replacing any earlier one (Go allows one per topic).
   */
  public void registerValidator(String topic, Validator validator) {
    validators.put(Objects.requireNonNull(topic, "topic == null"),
        Objects.requireNonNull(validator, "validator == null"));
  }

  public void unregisterValidator(String topic) {
    validators.remove(topic);
  }

  /** The peers known to be subscribed to {@code topic} (Go's {@code ListPeers}). */
  public CompletableFuture<Set<PeerId>> peers(String topic) {
    CompletableFuture<Set<PeerId>> f = new CompletableFuture<>();
    if (closeCalled.get()) {
      return CompletableFuture.failedFuture(new PubSubException(PubSubException.Reason.CLOSED, "pubsub closed"));
    }
    router.execute(() -> {
      Set<PeerId> out = new HashSet<>();
      peers.forEach((p, s) -> {
        if (s.topics.contains(topic)) {
          out.add(p);
        }
      });
      callbacks.execute(() -> f.complete(Set.copyOf(out)));
    });
    return f;
  }

  /**
   * Completes once {@code peer} is subscribed to {@code topic} and our outbound stream to it is
   * open, so that our next publish on the topic reaches it.
   */
  public CompletableFuture<Void> awaitPeer(String topic, PeerId peer) {
    return await(peerWaiters, topic, peer, this::checkWaiters);
  }

  /** Adds a waiter to {@code list} on the router thread, then runs {@code check}. */
  private CompletableFuture<Void> await(List<PeerWaiter> list, String topic, PeerId peer, Runnable check) {
    Objects.requireNonNull(topic, "topic == null");
    Objects.requireNonNull(peer, "peer == null");
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (closeCalled.get()) {
      return CompletableFuture.failedFuture(new PubSubException(PubSubException.Reason.CLOSED, "pubsub closed"));
    }
    router.execute(() -> {
      if (closed) {
        fail(f, new PubSubException(PubSubException.Reason.CLOSED, "pubsub closed"));
        return;
      }
      list.add(new PeerWaiter(topic, peer, f));
      check.run();
    });
    return f;
  }

  /** RPCs not sent because the peer's queue of unfinished writes was full. */
  public long droppedOutbound() {
    return droppedOutbound.get();
  }

  /** Messages dropped because too many validations were running. */
  public long throttled() {
    return throttled.get();
  }

  /** A snapshot of the counters. */
  public PubSubStats stats() {
    RouterCounters c = counters;
    return new PubSubStats(c.messagesReceived.get(), c.duplicates.get(), c.delivered.get(), c.rejected.get(),
        c.ignored.get(), throttled.get(), droppedOutbound.get(), c.graylistedRpcs.get(), c.graftsReceived.get(),
        c.prunesReceived.get(), c.gossipIgnored.get(), c.controlTruncated.get(), c.brokenPromises.get(),
        c.idontwantSent.get(), c.skippedForIdontwant.get(), c.pxRecordsAccepted.get());
  }

  /** Our gossipsub mesh peers of {@code topic} (always empty under FloodSub). */
  public CompletableFuture<Set<PeerId>> meshPeers(String topic) {
    Objects.requireNonNull(topic, "topic == null");
    return query(() -> gossip == null ? Set.of() : gossip.meshPeers(topic));
  }

  /**
   * Completes once {@code peer} is in our gossipsub mesh of {@code topic} (by our GRAFT or its
   * own), so that messages we forward on the topic reach it. Never completes under FloodSub, which
   * has no mesh; use {@link #awaitPeer} there.
   */
  public CompletableFuture<Void> awaitMeshPeer(String topic, PeerId peer) {
    return await(meshWaiters, topic, peer, this::checkMeshWaiters);
  }

  private void checkMeshWaiters() {
    if (gossip == null || meshWaiters.isEmpty()) {
      return;
    }
    meshWaiters.removeIf(w -> {
      if (gossip.meshPeers(w.topic).contains(w.peer)) {
        complete(w.future, null);
        return true;
      }
      return false;
    });
  }

  /**
   * For a {@link io.headersync.libp2p.ConnectionManager}: each pubsub peer's gossipsub score (0
   * without scoring), and protected when it is in one of our meshes (go-libp2p-pubsub protects mesh
   * peers in the connection manager the same way).
   */
  public CompletableFuture<Map<PeerId, io.headersync.libp2p.ConnectionManager.PeerValue>> connectionValues() {
    return query(() -> {
      Map<PeerId, io.headersync.libp2p.ConnectionManager.PeerValue> out = new HashMap<>();
      for (PeerId p : peers.keySet()) {
        out.put(p, new io.headersync.libp2p.ConnectionManager.PeerValue(gossip == null ? 0 : gossip.score(p),
            gossip != null && gossip.inAnyMesh(p)));
      }
      return out;
    });
  }

  /** Our gossipsub fanout peers of {@code topic} (always empty under FloodSub). */
  public CompletableFuture<Set<PeerId>> fanoutPeers(String topic) {
    Objects.requireNonNull(topic, "topic == null");
    return query(() -> gossip == null ? Set.of() : gossip.fanoutPeers(topic));
  }

  /** Our score of {@code peer} (Go's {@code WithPeerScoreInspect}); 0 without scoring. */
  public CompletableFuture<Double> score(PeerId peer) {
    Objects.requireNonNull(peer, "peer == null");
    return query(() -> gossip == null ? 0.0 : gossip.score(peer));
  }

  private <T> CompletableFuture<T> query(java.util.function.Supplier<T> question) {
    if (closeCalled.get()) {
      return CompletableFuture.failedFuture(new PubSubException(PubSubException.Reason.CLOSED, "pubsub closed"));
    }
    CompletableFuture<T> f = new CompletableFuture<>();
    router.execute(() -> complete(f, question.get()));
    return f;
  }

  /** Stops: closes the pubsub streams, cancels subscriptions, stops owned threads. Idempotent. */
  @Override
  public void close() {
    if (!closeCalled.compareAndSet(false, true)) {
      return;
    }
    for (String p : strategy.protocols()) {
      host.removeStreamHandler(p);
    }
    host.removeConnectionListener(listener);
    CompletableFuture<Void> done = new CompletableFuture<>();
    router.execute(() -> {
      if (!closed) {
        closed = true;
        strategy.stop();
        for (PeerState s : peers.values()) {
          s.closeAll();
        }
        peers.clear();
        for (List<Subscription> list : subscriptions.values()) {
          list.forEach(Subscription::terminate);
        }
        subscriptions.clear();
        for (PeerWaiter w : peerWaiters) {
          fail(w.future, new PubSubException(PubSubException.Reason.CLOSED, "pubsub closed"));
        }
        peerWaiters.clear();
        for (PeerWaiter w : meshWaiters) {
          fail(w.future, new PubSubException(PubSubException.Reason.CLOSED, "pubsub closed"));
        }
        meshWaiters.clear();
        for (RpcWaiter w : rpcWaiters) {
          fail(w.future, new PubSubException(PubSubException.Reason.CLOSED, "pubsub closed"));
        }
        rpcWaiters.clear();
      }
      done.complete(null);
    });
    done.join();
    for (ExecutorService e : owned) {
      e.shutdown();
    }
  }

  @Override
  public String toString() {
    return "PubSub{" + self + ", " + strategy.protocols() + "}";
  }

  // ---- router thread ----

  private MessageIdFunction idFunction(String topic) {
    return idFunctions.getOrDefault(topic, defaultIdFunction);
  }

  private void maybeOpen(PeerId peer, List<String> theirProtocols) {
    if (closed || !host.connectedPeers().contains(peer)) {
      return;
    }
    List<String> offer = new ArrayList<>();
    for (String p : strategy.protocols()) {
      if (theirProtocols.contains(p)) {
        offer.add(p);
      }
    }
    if (offer.isEmpty()) {
      return;
    }
    PeerState state = peers.computeIfAbsent(peer, p -> new PeerState());
    if (state.outbound != null || state.opening) {
      return;
    }
    state.opening = true;
    host.newStream(peer, offer.toArray(String[]::new)).whenCompleteAsync((stream, err) -> {
      state.opening = false;
      if (err != null) {
        log.debug("pubsub stream to {} failed: {}", peer, err.toString());
        return;
      }
      if (closed || peers.get(peer) != state) {
        stream.reset();
        return;
      }
      state.outbound = stream;
      strategy.addPeer(peer, stream.protocol());
      PubsubProto.RPC.Builder hello = PubsubProto.RPC.newBuilder();
      for (String topic : subscriptions.keySet()) {
        hello.addSubscriptions(PubsubProto.RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid(topic));
      }
      send(peer, state, hello.build().toByteArray());
      checkWaiters();
    }, router);
  }

  private void onInboundStream(Stream stream) {
    if (closed) {
      stream.reset();
      return;
    }
    PeerState state = peers.computeIfAbsent(stream.remotePeer(), p -> new PeerState());
    state.inbound.add(stream);
    readLoop(stream, state);
    // Identify may have finished before we registered; make sure we talk back.
    maybeOpen(stream.remotePeer(), host.peerProtocols(stream.remotePeer()));
  }

  private void readLoop(Stream stream, PeerState state) {
    stream.readMessage(maxMessageSize).whenCompleteAsync((frame, err) -> {
      if (err != null || frame.isEmpty() || closed || peers.get(stream.remotePeer()) != state) {
        if (err != null) {
          log.debug("pubsub stream from {} ended: {}", stream.remotePeer(), err.toString());
          stream.reset();
        } else {
          stream.close();
        }
        state.inbound.remove(stream);
        return;
      }
      PubsubProto.RPC rpc;
      try {
        rpc = PubsubProto.RPC.parseFrom(frame.get());
      } catch (InvalidProtocolBufferException e) {
        log.debug("malformed pubsub RPC from {}: {}", stream.remotePeer(), e.getMessage());
        stream.reset();
        state.inbound.remove(stream);
        return;
      }
      handleRpc(stream.remotePeer(), state, rpc);
      state.rpcsHandled++;
      checkRpcWaiters();
      checkMeshWaiters();
      readLoop(stream, state);
    }, router);
  }

  private void handleRpc(PeerId from, PeerState state, PubsubProto.RPC rpc) {
    if (!strategy.acceptFrom(from)) {
      return; // graylisted
    }
    for (PubsubProto.RPC.SubOpts sub : rpc.getSubscriptionsList()) {
      if (!sub.hasTopicid()) {
        continue;
      }
      if (sub.getSubscribe()) {
        if (state.topics.size() < MAX_PEER_TOPICS) {
          state.topics.add(sub.getTopicid());
        }
      } else if (state.topics.remove(sub.getTopicid())) {
        strategy.peerLeft(from, sub.getTopicid());
      }
    }
    if (rpc.getSubscriptionsCount() > 0) {
      checkWaiters();
    }
    for (PubsubProto.Message m : rpc.getPublishList()) {
      handleIncoming(from, m);
    }
    if (rpc.hasControl()) {
      strategy.handleControl(from, rpc.getControl()); // FloodSub ignores control messages
    }
  }

  private void handleIncoming(PeerId source, PubsubProto.Message wire) {
    if (!MessageSigning.policyAllows(policy, wire)) {
      log.debug("dropping message from {} that breaks the signing policy {}", source, policy);
      return;
    }
    Message m;
    try {
      m = MessageSigning.toMessage(wire, source);
    } catch (PeerIdFormatException e) {
      return;
    }
    if (m.from().filter(self::equals).isPresent()) {
      return; // our own message, looped back
    }
    if (!subscriptions.containsKey(m.topic())) {
      return;
    }
    Message withId = m.withId(idFunction(m.topic()).apply(m));
    counters.messagesReceived.incrementAndGet();
    // As Go: ids are marked seen only once a message is accepted, so a forged copy (bad signature,
    // someone else's from and seqno) cannot make us drop the genuine message.
    if (seen.contains(withId.id())) {
      counters.duplicates.incrementAndGet();
      strategy.duplicate(source, withId);
      return;
    }
    if (validationsInFlight.get() >= maxConcurrentValidations) {
      throttled.incrementAndGet();
      return;
    }
    com.google.protobuf.ByteString key = com.google.protobuf.ByteString.copyFrom(withId.id());
    List<HeldCopy> held = inValidation.get(key);
    if (held != null) {
      // A copy of a message being validated: validated only if that one turns out invalid (a
      // forged copy must not suppress the genuine one), else it is a duplicate. A few are kept.
      counters.duplicates.incrementAndGet();
      strategy.duplicate(source, withId);
      if (held.size() < MAX_HELD_COPIES) {
        held.add(new HeldCopy(source, wire, withId));
      }
      return;
    }
    inValidation.put(key, new ArrayList<>(2));
    strategy.validating(source, withId);
    validateAndRoute(key, new HeldCopy(source, wire, withId));
  }

  private record HeldCopy(PeerId source, PubsubProto.Message wire, Message message) {}

  private void validateAndRoute(com.google.protobuf.ByteString key, HeldCopy copy) {
    Message withId = copy.message();
    PeerId source = copy.source();
    validate(source, copy.wire(), withId, policy == SignaturePolicy.STRICT_SIGN).whenCompleteAsync((r, e) -> {
      if (closed) {
        return;
      }
      if (r == ValidationResult.ACCEPT) {
        inValidation.remove(key);
        if (seen.add(withId.id())) {
          route(source, copy.wire(), withId);
        }
        return;
      }
      log.debug("message {} from {}: {}", withId, source, r);
      if (r == ValidationResult.REJECT) {
        counters.rejected.incrementAndGet();
        strategy.rejected(source, withId);
      } else {
        counters.ignored.incrementAndGet();
        strategy.ignored(source, withId);
      }
      List<HeldCopy> held = inValidation.get(key);
      if (r == ValidationResult.REJECT && held != null && !held.isEmpty()) {
        validateAndRoute(key, held.remove(0));
      } else {
        inValidation.remove(key);
      }
    }, router);
  }

  /** Delivers locally and forwards. */
  private void route(PeerId source, PubsubProto.Message wire, Message m) {
    counters.delivered.incrementAndGet();
    for (Subscription s : subscriptions.getOrDefault(m.topic(), List.of())) {
      s.deliver(m);
    }
    Set<PeerId> exclude = new HashSet<>();
    exclude.add(source);
    m.from().ifPresent(exclude::add);
    Set<PeerId> targets = strategy.route(source, wire, m, source.equals(self), exclude);
    if (targets.isEmpty()) {
      return;
    }
    byte[] rpc = PubsubProto.RPC.newBuilder().addPublish(wire).build().toByteArray();
    for (PeerId p : targets) {
      PeerState s = peers.get(p);
      if (s != null) {
        send(p, s, rpc);
      }
    }
  }

  private void announce(String topic, boolean subscribe) {
    byte[] rpc = PubsubProto.RPC.newBuilder()
        .addSubscriptions(PubsubProto.RPC.SubOpts.newBuilder().setSubscribe(subscribe).setTopicid(topic))
        .build().toByteArray();
    peers.forEach((p, s) -> {
      if (s.outbound != null && !send(p, s, rpc)) {
        scheduleAnnounceRetry(p, topic, subscribe, rpc);
      }
    });
  }

  /**
   * A (un)subscription that found the peer's queue full is not lost, as Go's {@code announceRetry}
   * does it: after 1–1000 ms, if we still are (not) subscribed, send it to that peer again. Without
   * this a peer that was busy when we subscribed would never learn of it. Bounded: one timer per
   * dropped announcement, and none once the peer or the router is gone.
   */
  private void scheduleAnnounceRetry(PeerId peer, String topic, boolean subscribe, byte[] rpc) {
    long delayMillis = 1L + random.nextInt(1000);
    try {
      scheduler.schedule(() -> router.execute(() -> {
        PeerState s = peers.get(peer);
        if (closed || s == null || s.outbound == null || subscriptions.containsKey(topic) != subscribe) {
          return;
        }
        if (!send(peer, s, rpc)) {
          scheduleAnnounceRetry(peer, topic, subscribe, rpc);
        }
      }), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.trace("scheduler closed; dropping an announcement retry");
    }
  }

  private void removeSubscription(Subscription sub) {
    List<Subscription> list = subscriptions.get(sub.topic());
    if (list == null || !list.remove(sub)) {
      return;
    }
    if (list.isEmpty()) {
      subscriptions.remove(sub.topic());
      announce(sub.topic(), false);
      strategy.leave(sub.topic());
    }
  }

  /** Queues {@code rpc} to {@code peer}; false when it was dropped because the peer's queue is full. */
  private boolean send(PeerId peer, PeerState state, byte[] rpc) {
    Stream out = state.outbound;
    if (out == null) {
      return true;
    }
    if (state.pendingWrites >= peerQueueSize) {
      // A slow peer: Go drops RPCs when its per-peer queue (32) is full; so do we.
      droppedOutbound.incrementAndGet();
      return false;
    }
    state.pendingWrites++;
    out.writeMessage(rpc).whenCompleteAsync((v, err) -> {
      state.pendingWrites--;
      if (err != null && state.outbound == out) {
        log.debug("pubsub write to {} failed: {}", peer, err.toString());
        out.reset();
        state.outbound = null;
        // Go re-opens its writer while the peer stays connected; so do we, a few times.
        if (state.reopens < MAX_REOPENS && peers.get(peer) == state) {
          state.reopens++;
          maybeOpen(peer, host.peerProtocols(peer));
        }
      }
    }, router);
    return true;
  }

  private void checkWaiters() {
    peerWaiters.removeIf(w -> {
      PeerState s = peers.get(w.peer);
      if (s != null && s.outbound != null && s.topics.contains(w.topic)) {
        complete(w.future, null);
        return true;
      }
      return false;
    });
  }

  private void onDisconnected(PeerId peer) {
    PeerState s = peers.remove(peer);
    if (s != null) {
      s.closeAll();
    }
    strategy.removePeer(peer);
    outboundPeers.remove(peer);
    peerIps.remove(peer);
  }

  /** The IP of an {@code /ip4/...} or {@code /ip6/...} address, or null. */
  private static String ipOf(Multiaddr address) {
    String[] parts = address.toString().split("/");
    return parts.length > 2 && (parts[1].equals("ip4") || parts[1].equals("ip6")) ? parts[2] : null;
  }

  /** What the strategy may use of us; every call on the router thread. */
  private final class Context implements RouterContext {
    @Override
    public Collection<PeerId> readyPeers() {
      List<PeerId> ready = new ArrayList<>();
      peers.forEach((p, s) -> {
        if (s.outbound != null) {
          ready.add(p);
        }
      });
      return ready;
    }

    @Override
    public Set<String> topicsOf(PeerId peer) {
      PeerState s = peers.get(peer);
      return s == null ? Set.of() : s.topics;
    }

    @Override
    public boolean subscribed(String topic) {
      return subscriptions.containsKey(topic);
    }

    @Override
    public boolean outbound(PeerId peer) {
      return outboundPeers.contains(peer);
    }

    @Override
    public String ip(PeerId peer) {
      return peerIps.get(peer);
    }

    @Override
    public void send(PeerId peer, PubsubProto.RPC rpc) {
      PeerState s = peers.get(peer);
      if (s != null) {
        PubSub.this.send(peer, s, rpc.toByteArray());
      }
    }

    @Override
    public void peerExchange(List<PeerId> offered) {
      java.util.function.Consumer<List<PeerId>> d = peerExchangeDialer;
      if (d == null) {
        return;
      }
      try {
        callbacks.execute(() -> {
          try {
            d.accept(List.copyOf(offered));
          } catch (RuntimeException e) {
            log.debug("peer exchange dialer failed: {}", e.toString());
          }
        });
      } catch (RejectedExecutionException e) {
        log.trace("callback executor closed; dropping PX peers");
      }
    }

    @Override
    public void execute(Runnable task) {
      router.execute(() -> {
        if (!closed) {
          task.run();
          checkMeshWaiters();
        }
      });
    }
  }

  /**
   * Runs the signature check (for incoming StrictSign messages) and the topic's validator on the
   * validation executor, bounded by the timeout. Completes with the result, never exceptionally.
   */
  private CompletableFuture<ValidationResult> validate(
      PeerId source, PubsubProto.Message wire, Message m, boolean checkSignature) {
    Validator v = validators.get(m.topic());
    if (!checkSignature && v == null) {
      return CompletableFuture.completedFuture(ValidationResult.ACCEPT);
    }
    validationsInFlight.incrementAndGet();
    CompletableFuture<ValidationResult> result = new CompletableFuture<>();
    validation.execute(() -> {
      try {
        if (checkSignature && !MessageSigning.verify(wire)) {
          result.complete(ValidationResult.REJECT);
          return;
        }
        if (v == null) {
          result.complete(ValidationResult.ACCEPT);
          return;
        }
        v.validate(source, m).whenComplete((r, e) ->
            result.complete(e != null || r == null ? ValidationResult.REJECT : r));
      } catch (RuntimeException e) {
        log.warn("validator of {} threw", m.topic(), e);
        result.complete(ValidationResult.REJECT);
      }
    });
    return result
        .completeOnTimeout(ValidationResult.IGNORE, validationTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((r, e) -> validationsInFlight.decrementAndGet());
  }

  private <T> void complete(CompletableFuture<T> f, T value) {
    callbacks.execute(() -> f.complete(value));
  }

  private void fail(CompletableFuture<?> f, Throwable error) {
    callbacks.execute(() -> f.completeExceptionally(error));
  }

  private static final class PeerState {
    final Set<String> topics = new HashSet<>();
    final List<Stream> inbound = new ArrayList<>();
    Stream outbound;
    boolean opening;
    int reopens;
    int pendingWrites;
    long rpcsHandled;

    void closeAll() {
      if (outbound != null) {
        outbound.close();
        outbound = null;
      }
      for (Stream s : inbound) {
        s.close();
      }
      inbound.clear();
    }
  }

  private record PeerWaiter(String topic, PeerId peer, CompletableFuture<Void> future) {}

  private record RpcWaiter(PeerId peer, long count, CompletableFuture<Void> future) {}

  /**
   * For tests: completes once {@code count} RPCs from {@code peer} were handled (dropped ones
   * included), so a test knows the router has seen what a hand-driven peer wrote.
   */
  CompletableFuture<Void> awaitRpcs(PeerId peer, long count) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    router.execute(() -> {
      rpcWaiters.add(new RpcWaiter(peer, count, f));
      checkRpcWaiters();
    });
    return f;
  }

  private void checkRpcWaiters() {
    rpcWaiters.removeIf(w -> {
      PeerState s = peers.get(w.peer);
      if (s != null && s.rpcsHandled >= w.count) {
        complete(w.future, null);
        return true;
      }
      return false;
    });
  }

  private final class Listener implements ConnectionListener {
    @Override
    public void connected(PeerId peer, Multiaddr remoteAddress, boolean outbound) {
      router.execute(() -> {
        if (outbound) {
          outboundPeers.add(peer);
        }
        String ip = ipOf(remoteAddress);
        if (ip != null) {
          peerIps.put(peer, ip);
        }
      });
    }

    @Override
    public void identified(PeerInfo info) {
      router.execute(() -> maybeOpen(info.peer(), info.protocols()));
    }

    @Override
    public void disconnected(PeerId peer) {
      router.execute(() -> onDisconnected(peer));
    }
  }

  /** Configures a {@link PubSub}; {@link #build()} starts it. */
  public static final class Builder {
    private final Host host;
    private final PrivateKey identity;
    private RouterKind kind = RouterKind.FLOODSUB;
    private SignaturePolicy policy = SignaturePolicy.STRICT_SIGN;
    private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private int subscriptionCapacity = 32;
    private int peerQueueSize = 32;
    private int maxConcurrentValidations = 1024;
    private Duration validationTimeout = Duration.ofSeconds(10);
    private Duration seenTtl = Duration.ofSeconds(120);
    private int seenCapacity = 1 << 17;
    private MessageIdFunction defaultIdFunction = MessageIdFunction.DEFAULT;
    private final Map<String, MessageIdFunction> idFunctions = new HashMap<>();
    private Executor routerExecutor;
    private Executor validationExecutor;
    private Executor callbackExecutor;
    private Clock clock = Clock.systemUTC();
    private GossipSubParams gossipParams = GossipSubParams.defaults();
    private PeerScoreParams scoreParams;
    private PeerScoreThresholds thresholds = PeerScoreThresholds.NONE;
    private ScheduledExecutorService scheduler;
    private Random random = new Random();
    private java.util.function.@Nullable Consumer<List<PeerId>> peerExchangeDialer;

    /**
     * Dials peers offered by gossipsub peer exchange: called (on the callback executor) with the
     * peer ids of a PRUNE's PX records that we are not connected to, when the pruning peer scores at
     * least the accept-PX threshold and our mesh of the topic is below {@code Dlo}, as Go's {@code
     * pxConnect}. The records carry ids only (we do not read signed peer records): the dialer finds
     * addresses itself (peer store, DHT). Unset: PX records are counted, not dialed.
     */
    public Builder peerExchangeDialer(java.util.function.Consumer<List<PeerId>> dialer) {
      this.peerExchangeDialer = Objects.requireNonNull(dialer, "dialer == null");
      return this;
    }

    private Builder(Host host, PrivateKey identity) {
      this.host = Objects.requireNonNull(host, "host == null");
      this.identity = Objects.requireNonNull(identity, "identity == null");
    }

    /** The router; default {@link RouterKind#FLOODSUB} (what ev-node runs). */
    public Builder router(RouterKind kind) {
      this.kind = Objects.requireNonNull(kind, "kind == null");
      return this;
    }

    /** A {@link RouterKind#GOSSIPSUB} router with {@code params}. */
    public Builder gossipSub(GossipSubParams params) {
      this.gossipParams = Objects.requireNonNull(params, "params == null");
      this.kind = RouterKind.GOSSIPSUB;
      return this;
    }

    /**
     * Scores peers (gossipsub only; Go's {@code WithPeerScore}). Without it every score is 0 and
     * no peer is graylisted. See {@link PeerScoreParams#forHeaderTopic} and {@link
     * PeerScoreThresholds#CELESTIA}.
     */
    public Builder peerScore(PeerScoreParams params, PeerScoreThresholds scoreThresholds) {
      this.scoreParams = Objects.requireNonNull(params, "params == null");
      this.thresholds = Objects.requireNonNull(scoreThresholds, "scoreThresholds == null");
      return this;
    }

    /**
     * Schedules the gossipsub heartbeat and score decay (the tasks only hand work to the router
     * thread). Default: a daemon thread of our own, stopped on close; an injected scheduler is
     * not shut down.
     */
    public Builder scheduler(ScheduledExecutorService executor) {
      this.scheduler = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /** Randomness of peer selection (inject a seeded one for reproducible tests). */
    public Builder random(Random rnd) {
      this.random = Objects.requireNonNull(rnd, "rnd == null");
      return this;
    }

    /** Default {@link SignaturePolicy#STRICT_SIGN}, as Go. */
    public Builder signaturePolicy(SignaturePolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy == null");
      return this;
    }

    /** The largest RPC frame read or written; default 1 MiB ({@link #EVNODE_MAX_MESSAGE_SIZE} for ev-node). */
    public Builder maxMessageSize(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxMessageSize must be at least 1024, got " + bytes);
      }
      this.maxMessageSize = bytes;
      return this;
    }

    /** Messages a subscription holds for a slow reader before dropping; default 32 (Go's). */
    public Builder subscriptionCapacity(int messages) {
      if (messages < 1) {
        throw new IllegalArgumentException("subscriptionCapacity must be positive");
      }
      this.subscriptionCapacity = messages;
      return this;
    }

    /**
     * RPCs handed to a peer's stream and not yet written (a slow reader holds them at its Yamux
     * window); further RPCs to that peer are dropped. Default 32, Go's {@code peerOutboundQueueSize}.
     */
    public Builder peerQueueSize(int rpcs) {
      if (rpcs < 1) {
        throw new IllegalArgumentException("peerQueueSize must be positive");
      }
      this.peerQueueSize = rpcs;
      return this;
    }

    /** Validations running at once; further messages are dropped (default 1024). */
    public Builder maxConcurrentValidations(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConcurrentValidations must be positive");
      }
      this.maxConcurrentValidations = n;
      return this;
    }

    /** How long a validator may take before the message is ignored; default 10 s. */
    public Builder validationTimeout(Duration timeout) {
      this.validationTimeout = Objects.requireNonNull(timeout, "timeout == null");
      return this;
    }

    /** How long message ids are remembered (default 120 s) and how many at most. */
    public Builder seenCache(Duration ttl, int capacity) {
      this.seenTtl = Objects.requireNonNull(ttl, "ttl == null");
      this.seenCapacity = capacity;
      return this;
    }

    /** The message id function of topics without their own; default {@link MessageIdFunction#DEFAULT}. */
    public Builder defaultMessageIdFunction(MessageIdFunction fn) {
      this.defaultIdFunction = Objects.requireNonNull(fn, "fn == null");
      return this;
    }

    /** The message id function of {@code topic} (Go's {@code WithTopicMessageIdFn}). */
    public Builder messageIdFunction(String topic, MessageIdFunction fn) {
      idFunctions.put(Objects.requireNonNull(topic, "topic == null"), Objects.requireNonNull(fn, "fn == null"));
      return this;
    }

    /** Runs the router; tasks are serialized on it. Default: a thread of our own. */
    public Builder routerExecutor(Executor executor) {
      this.routerExecutor = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /** Runs validators. Default: two threads of our own. */
    public Builder validationExecutor(Executor executor) {
      this.validationExecutor = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /** Completes returned futures. Default: the common fork-join pool. */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /** Time for the seen cache, the initial seqno, backoffs and scores. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Builds and starts the router: registers the protocol handlers and opens streams to peers
     * already connected.
     *
     * @throws IllegalStateException if the identity is not the host's
     */
    public PubSub build() {
      if (!identity.peerId().equals(host.peerId())) {
        throw new IllegalStateException("identity " + identity.peerId() + " is not the host's " + host.peerId());
      }
      if (scoreParams != null && kind != RouterKind.GOSSIPSUB) {
        throw new IllegalStateException("peer scoring needs the GOSSIPSUB router, not " + kind);
      }
      PubSub p = new PubSub(this);
      p.start();
      return p;
    }
  }
}
