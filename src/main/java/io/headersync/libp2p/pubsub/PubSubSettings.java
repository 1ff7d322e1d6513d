package io.headersync.libp2p.pubsub;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * The settings of a {@link PubSub} and their setters, with every default: the body of {@link
 * PubSub.Builder}, which adds only {@link PubSub.Builder#build()} (kept apart so that {@code
 * PubSub} stays one concern; the setters are public and documented as {@code PubSub.Builder}'s, as
 * {@code StringBuilder}'s are through {@code AbstractStringBuilder}).
 */
abstract class PubSubSettings {
  final Host host;
  final PrivateKey identity;
  RouterKind kind = RouterKind.FLOODSUB;
  SignaturePolicy policy = SignaturePolicy.STRICT_SIGN;
  int maxMessageSize = PubSub.DEFAULT_MAX_MESSAGE_SIZE;
  int subscriptionCapacity = 32;
  int peerQueueSize = 32;
  int maxConcurrentValidations = 1024;
  Duration validationTimeout = Duration.ofSeconds(10);
  Duration seenTtl = Duration.ofSeconds(120);
  int seenCapacity = 1 << 17;
  MessageIdFunction defaultIdFunction = MessageIdFunction.DEFAULT;
  final Map<String, MessageIdFunction> idFunctions = new HashMap<>();
  @Nullable Executor routerExecutor;
  @Nullable Executor validationExecutor;
  @Nullable Executor callbackExecutor;
  Clock clock = Clock.systemUTC();
  GossipSubParams gossipParams = GossipSubParams.defaults();
  @Nullable PeerScoreParams scoreParams;
  PeerScoreThresholds thresholds = PeerScoreThresholds.NONE;
  @Nullable ScheduledExecutorService scheduler;
  Random random = new Random();
  @Nullable Consumer<List<PeerId>> peerExchangeDialer;

  PubSubSettings(Host host, PrivateKey identity) {
    this.host = Objects.requireNonNull(host, "host == null");
    this.identity = Objects.requireNonNull(identity, "identity == null");
  }

  /** This builder, as the type the setters return. */
  abstract PubSub.Builder self();

  /**
   * Dials peers offered by gossipsub peer exchange: called (on the callback executor) with the peer
   * ids of a PRUNE's PX records that we are not connected to, when the pruning peer scores at least
   * the accept-PX threshold and our mesh of the topic is below {@code Dlo}, as Go's {@code
   * pxConnect}. The records carry ids only (we do not read signed peer records): the dialer finds
   * addresses itself (peer store, DHT). Unset: PX records are counted, not dialed.
   *
   * @param dialer gets the offered peer ids
   * @return this builder
   */
  public PubSub.Builder peerExchangeDialer(Consumer<List<PeerId>> dialer) {
    this.peerExchangeDialer = Objects.requireNonNull(dialer, "dialer == null");
    return self();
  }

  /**
   * The router; default {@link RouterKind#FLOODSUB} (what ev-node runs).
   *
   * @param kind the router kind
   * @return this builder
   */
  public PubSub.Builder router(RouterKind kind) {
    this.kind = Objects.requireNonNull(kind, "kind == null");
    return self();
  }

  /**
   * A {@link RouterKind#GOSSIPSUB} router with {@code params}.
   *
   * @param params the gossipsub parameters
   * @return this builder
   */
  public PubSub.Builder gossipSub(GossipSubParams params) {
    this.gossipParams = Objects.requireNonNull(params, "params == null");
    this.kind = RouterKind.GOSSIPSUB;
    return self();
  }

  /**
   * Scores peers (gossipsub only; Go's {@code WithPeerScore}). Without it every score is 0 and no
   * peer is graylisted. See {@link PeerScoreParams#forHeaderTopic} and {@link
   * PeerScoreThresholds#CELESTIA}.
   *
   * @param params the score parameters
   * @param scoreThresholds the thresholds
   * @return this builder
   */
  public PubSub.Builder peerScore(PeerScoreParams params, PeerScoreThresholds scoreThresholds) {
    this.scoreParams = Objects.requireNonNull(params, "params == null");
    this.thresholds = Objects.requireNonNull(scoreThresholds, "scoreThresholds == null");
    return self();
  }

  /**
   * Schedules the gossipsub heartbeat and score decay (the tasks only hand work to the router).
   * Default: a daemon thread of our own, stopped when the router stops; an injected scheduler is
   * not shut down.
   *
   * @param executor the scheduler
   * @return this builder
   */
  public PubSub.Builder scheduler(ScheduledExecutorService executor) {
    this.scheduler = Objects.requireNonNull(executor, "executor == null");
    return self();
  }

  /**
   * Randomness of peer selection (inject a seeded one for reproducible tests).
   *
   * @param rnd the randomness
   * @return this builder
   */
  public PubSub.Builder random(Random rnd) {
    this.random = Objects.requireNonNull(rnd, "rnd == null");
    return self();
  }

  /**
   * The signature policy; default {@link SignaturePolicy#STRICT_SIGN}, as Go.
   *
   * @param policy the policy
   * @return this builder
   */
  public PubSub.Builder signaturePolicy(SignaturePolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy == null");
    return self();
  }

  /**
   * The largest RPC frame read or written; default 1 MiB ({@link PubSub#EVNODE_MAX_MESSAGE_SIZE}
   * for ev-node).
   *
   * @param bytes at least 1024
   * @return this builder
   */
  public PubSub.Builder maxMessageSize(int bytes) {
    if (bytes < 1024) {
      throw new IllegalArgumentException("maxMessageSize must be at least 1024, got " + bytes);
    }
    this.maxMessageSize = bytes;
    return self();
  }

  /**
   * Messages a subscription holds for a slow reader before dropping; default 32 (Go's).
   *
   * @param messages at least 1
   * @return this builder
   */
  public PubSub.Builder subscriptionCapacity(int messages) {
    if (messages < 1) {
      throw new IllegalArgumentException("subscriptionCapacity must be positive");
    }
    this.subscriptionCapacity = messages;
    return self();
  }

  /**
   * RPCs handed to a peer's stream and not yet written (a slow reader holds them at its Yamux
   * window); further RPCs to that peer are dropped. Default 32, Go's {@code peerOutboundQueueSize}.
   *
   * @param rpcs at least 1
   * @return this builder
   */
  public PubSub.Builder peerQueueSize(int rpcs) {
    if (rpcs < 1) {
      throw new IllegalArgumentException("peerQueueSize must be positive");
    }
    this.peerQueueSize = rpcs;
    return self();
  }

  /**
   * Validations running at once; further messages are dropped (default 1024).
   *
   * @param n at least 1
   * @return this builder
   */
  public PubSub.Builder maxConcurrentValidations(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("maxConcurrentValidations must be positive");
    }
    this.maxConcurrentValidations = n;
    return self();
  }

  /**
   * How long a validator may take before the message is ignored; default 10 s.
   *
   * @param timeout the timeout
   * @return this builder
   */
  public PubSub.Builder validationTimeout(Duration timeout) {
    this.validationTimeout = Objects.requireNonNull(timeout, "timeout == null");
    return self();
  }

  /**
   * How long message ids are remembered (default 120 s) and how many at most.
   *
   * @param ttl how long an id is remembered
   * @param capacity the most ids remembered
   * @return this builder
   */
  public PubSub.Builder seenCache(Duration ttl, int capacity) {
    this.seenTtl = Objects.requireNonNull(ttl, "ttl == null");
    this.seenCapacity = capacity;
    return self();
  }

  /**
   * The message id function of topics without their own; default {@link MessageIdFunction#DEFAULT}.
   *
   * @param fn the function
   * @return this builder
   */
  public PubSub.Builder defaultMessageIdFunction(MessageIdFunction fn) {
    this.defaultIdFunction = Objects.requireNonNull(fn, "fn == null");
    return self();
  }

  /**
   * The message id function of {@code topic} (Go's {@code WithTopicMessageIdFn}).
   *
   * @param topic the topic name
   * @param fn the function
   * @return this builder
   */
  public PubSub.Builder messageIdFunction(String topic, MessageIdFunction fn) {
    idFunctions.put(
        Objects.requireNonNull(topic, "topic == null"), Objects.requireNonNull(fn, "fn == null"));
    return self();
  }

  /**
   * The pool the router runs on; its tasks are serialized (a serial executor over the pool), so the
   * router is one actor without a thread of its own. Default: the host's user executor ({@link
   * Host#executor()}).
   *
   * @param executor the pool (not owned)
   * @return this builder
   */
  public PubSub.Builder routerExecutor(Executor executor) {
    this.routerExecutor = Objects.requireNonNull(executor, "executor == null");
    return self();
  }

  /**
   * Runs signature checks and validators. Default: the host's user executor.
   *
   * @param executor the executor (not owned)
   * @return this builder
   */
  public PubSub.Builder validationExecutor(Executor executor) {
    this.validationExecutor = Objects.requireNonNull(executor, "executor == null");
    return self();
  }

  /**
   * Completes returned futures and subscription futures, and runs the peer-exchange dialer.
   * Default: the host's user executor.
   *
   * @param executor the executor (not owned)
   * @return this builder
   */
  public PubSub.Builder callbackExecutor(Executor executor) {
    this.callbackExecutor = Objects.requireNonNull(executor, "executor == null");
    return self();
  }

  /**
   * Time for the seen cache, the initial seqno, backoffs and scores.
   *
   * @param clock the clock; default the system UTC clock
   * @return this builder
   */
  public PubSub.Builder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock == null");
    return self();
  }
}
