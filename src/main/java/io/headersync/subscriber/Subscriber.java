package io.headersync.subscriber;

import io.headersync.Header;
import io.headersync.HeaderType;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.instrument.Histogram;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.pubsub.Message;
import io.headersync.libp2p.pubsub.PubSub;
import io.headersync.libp2p.pubsub.ValidationResult;
import io.headersync.lifecycle.AbstractService;
import io.headersync.lifecycle.Service;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Headers on a pubsub topic, as go-header's {@code p2p.Subscriber}: the topic is {@code
 * /<networkId>/header-sub/v0.0.1} ({@code header-sub/v0.0.1} when the network id is empty), the
 * payload is the header's {@link Header#encode() encoding} with no envelope.
 *
 * <p>Every message, ours included, passes the topic validator: decode and {@link
 * Header#validate(Clock) validate} (failure: reject), then the {@link HeaderVerifier} the syncer
 * sets (a soft {@link VerifyException}: ignore; a hard one: reject; anything else: ignore). Until a
 * verifier is set, messages wait for it; the pubsub validation timeout bounds the wait (then:
 * ignore).
 *
 * <p>Lifecycle: a {@link io.headersync.lifecycle.Service}. {@link #start()} registers the topic
 * validator, {@link #stop()} unregisters it (and messages still waiting for a verifier are
 * ignored); {@link #subscribe()} and {@link #broadcast} need a running subscriber. The pubsub
 * router is the caller's: the subscriber neither starts nor closes it.
 *
 * <p>Threads: the validator runs on the pubsub validation executor; {@link #broadcast} futures
 * complete on the pubsub callback executor; the lifecycle futures on the executor given to the
 * constructor.
 *
 * @param <H> the header type
 */
public final class Subscriber<H extends Header> extends AbstractService {
  /** go-header's topic suffix. */
  public static final String TOPIC_SUFFIX = "header-sub/v0.0.1";

  private static final Logger log = LoggerFactory.getLogger(Subscriber.class);

  private final PubSub pubSub;
  private final HeaderType<H> type;
  private final String topic;
  private final Clock clock;
  private final CompletableFuture<HeaderVerifier<H>> verifier = new CompletableFuture<>();

  /**
   * Whether our validator is registered (so that stopping a subscriber never started removes
   * nobody's).
   */
  private volatile boolean registered;

  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong ignored = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong subscriptions = new AtomicLong();

  /** When the last message was accepted, {@link Long#MIN_VALUE} before the first. */
  private final AtomicLong lastAcceptedNanos = new AtomicLong(Long.MIN_VALUE);

  private final Histogram messageSize =
      new Histogram(
          "hdr_p2p_sub_msg_size_hist", "valid header message size", "By", Histogram.BYTES);
  private final Histogram messageTime =
      new Histogram(
          "hdr_p2p_sub_msg_time_hist",
          "valid header message propagation time",
          "s",
          Histogram.SECONDS);

  /**
   * Per peer: when a rejection was last logged at WARN, and how many since (bounded, least recent
   * evicted).
   */
  private final java.util.LinkedHashMap<PeerId, long[]> warned =
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<PeerId, long[]> eldest) {
          return size() > MAX_WARNED_PEERS;
        }
      };

  /** Peers whose rejections are rate-limited at once. */
  static final int MAX_WARNED_PEERS = 1024;

  /** A peer's rejected messages are logged at WARN at most once per this many milliseconds. */
  static final long WARN_INTERVAL_MILLIS = 60_000;

  /**
   * A subscriber whose lifecycle futures complete on the thread that starts or stops it (both are
   * immediate).
   *
   * @param pubSub the router (the caller owns it; stopping the subscriber does not close it)
   * @param type decodes the payloads
   * @param topic the topic, usually {@link #topic(String)}
   * @param clock for {@link Header#validate(Clock)}
   */
  public Subscriber(PubSub pubSub, HeaderType<H> type, String topic, Clock clock) {
    this(pubSub, type, topic, clock, Runnable::run);
  }

  /**
   * A subscriber whose lifecycle futures complete on {@code callbacks}.
   *
   * @param pubSub the router (the caller owns it; stopping the subscriber does not close it)
   * @param type decodes the payloads
   * @param topic the topic, usually {@link #topic(String)}
   * @param clock for {@link Header#validate(Clock)}
   * @param callbacks where {@link #start()} and {@link #stop()} futures complete: the node's worker
   *     pool
   */
  public Subscriber(
      PubSub pubSub, HeaderType<H> type, String topic, Clock clock, Executor callbacks) {
    super("subscriber of " + Objects.requireNonNull(topic, "topic == null"), callbacks);
    this.pubSub = Objects.requireNonNull(pubSub, "pubSub == null");
    this.type = Objects.requireNonNull(type, "type == null");
    this.topic = Objects.requireNonNull(topic, "topic == null");
    this.clock = Objects.requireNonNull(clock, "clock == null");
  }

  /**
   * go-header's {@code PubsubTopicID}: {@code /<networkId>/header-sub/v0.0.1}, or the bare suffix.
   *
   * @param networkId the network id, possibly empty
   * @return the topic
   */
  public static String topic(String networkId) {
    Objects.requireNonNull(networkId, "networkId == null");
    return networkId.isEmpty() ? TOPIC_SUFFIX : "/" + networkId + "/" + TOPIC_SUFFIX;
  }

  /**
   * The topic this subscriber validates.
   *
   * @return the topic
   */
  public String topic() {
    return topic;
  }

  /** Registers the topic validator (at once, on the calling thread). */
  @Override
  protected CompletableFuture<Void> doStart() {
    pubSub.registerValidator(topic, this::validate);
    registered = true;
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Unregisters the validator; messages waiting for a verifier are ignored. The pubsub router stays
   * open.
   */
  @Override
  protected CompletableFuture<Void> doStop() {
    if (registered) {
      registered = false;
      pubSub.unregisterValidator(topic);
    }
    verifier.cancel(false);
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Sets the verifier (the syncer's). Only one may be set, as in go-header.
   *
   * @param v verifies every gossiped header after validation: a hard failure rejects the message, a
   *     soft one ignores it
   * @throws IllegalStateException if a verifier is already set
   */
  public void setVerifier(HeaderVerifier<H> v) {
    Objects.requireNonNull(v, "verifier == null");
    if (!verifier.complete(v)) {
      throw new IllegalStateException("a verifier is already set for " + topic);
    }
  }

  /**
   * Subscribes to the topic (the first subscription announces it to peers).
   *
   * @return the subscription, to be closed by the caller
   * @throws IllegalStateException if not running (not started, or stopped)
   */
  public HeaderSubscription<H> subscribe() {
    String notRunning = notRunning();
    if (notRunning != null) {
      throw new IllegalStateException(notRunning);
    }
    HeaderSubscription<H> s =
        new HeaderSubscription<>(pubSub.subscribe(topic), type, subscriptions::decrementAndGet);
    subscriptions.incrementAndGet();
    return s;
  }

  /**
   * Publishes {@code header}. Our own message passes the validator too: the future fails with a
   * {@link io.headersync.libp2p.pubsub.PubSubException} whose reason says whether it was rejected
   * or ignored (e.g. a header the store already has); with an {@link IllegalStateException} if the
   * subscriber is not running.
   *
   * @param header the header to publish
   * @return a future of the publication
   */
  public CompletableFuture<Void> broadcast(H header) {
    Objects.requireNonNull(header, "header == null");
    String notRunning = notRunning();
    if (notRunning != null) {
      return CompletableFuture.failedFuture(new IllegalStateException(notRunning));
    }
    return pubSub.publish(topic, header.encode());
  }

  /** Why the subscriber cannot subscribe or publish now, or null when it runs. */
  private @Nullable String notRunning() {
    Service.State s = state();
    if (s == Service.State.RUNNING) {
      return null;
    }
    return "subscriber of "
        + topic
        + " is "
        + (s == Service.State.NEW || s == Service.State.STARTING ? "not started" : "closed");
  }

  /**
   * The subscriber's counters.
   *
   * @return a snapshot: accepted, ignored and rejected messages, bytes, subscriptions
   */
  public SubscriberMetrics metrics() {
    return new SubscriberMetrics(
        accepted.get(), ignored.get(), rejected.get(), bytes.get(), subscriptions.get());
  }

  /**
   * go-header's subscriber histograms: the size of each accepted message ({@code
   * hdr_p2p_sub_msg_size_hist}) and the time between two accepted messages ({@code
   * hdr_p2p_sub_msg_time_hist}; go-header calls it propagation time, but measures this).
   *
   * @return the two histograms
   */
  public List<Histogram> histograms() {
    return List.of(messageSize, messageTime);
  }

  private CompletableFuture<ValidationResult> validate(PeerId source, Message message) {
    bytes.addAndGet(message.data().length);
    H header;
    try {
      header = type.decode(message.data());
      header.validate(clock);
    } catch (RuntimeException e) { // go-header: any decode or validate error (or panic) rejects
      warnRejected(
          source, "a " + type.name() + " that does not decode or validate: " + e.getMessage());
      return CompletableFuture.completedFuture(count(ValidationResult.REJECT));
    }
    int size = message.data().length;
    return verifier
        .thenCompose(v -> v.verify(header))
        .handle(
            (ok, e) -> {
              if (e == null) {
                accepted(size);
                return count(ValidationResult.ACCEPT);
              }
              Throwable cause =
                  e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
              if (cause instanceof VerifyException ve && !ve.isSoft()) {
                warnRejected(source, type.name() + " " + header.height() + ": " + ve.getMessage());
                return count(ValidationResult.REJECT);
              }
              log.trace(
                  "ignoring {} at height {} from {}: {}",
                  type.name(),
                  header.height(),
                  source,
                  cause.toString());
              return count(ValidationResult.IGNORE);
            });
  }

  /**
   * A peer sent something invalid: WARN with its peer id, at most once a minute per peer (with how
   * many more it sent since), DEBUG otherwise.
   */
  private void warnRejected(PeerId source, String what) {
    long now = clock.millis();
    long suppressed = -1;
    synchronized (warned) {
      long[] w = warned.get(source);
      if (w == null || now - w[0] >= WARN_INTERVAL_MILLIS) {
        suppressed = w == null ? 0 : w[1];
        warned.put(source, new long[] {now, 0});
      } else {
        w[1]++;
      }
    }
    if (suppressed >= 0) {
      log.warn(
          "peer {} sent an invalid message on {}, rejected{}: {}",
          source,
          topic,
          suppressed > 0 ? " (" + suppressed + " more since the last warning)" : "",
          what);
    } else {
      log.debug("rejecting a message from {} on {}: {}", source, topic, what);
    }
  }

  private void accepted(int size) {
    messageSize.record(size);
    java.time.Instant at = clock.instant();
    long now = at.getEpochSecond() * 1_000_000_000L + at.getNano();
    long last = lastAcceptedNanos.getAndSet(now);
    if (last != Long.MIN_VALUE) {
      messageTime.record((now - last) / 1e9);
    }
  }

  private ValidationResult count(ValidationResult r) {
    switch (r) {
      case ACCEPT -> accepted.incrementAndGet();
      case IGNORE -> ignored.incrementAndGet();
      case REJECT -> rejected.incrementAndGet();
      default -> throw new AssertionError(r);
    }
    return r;
  }

  @Override
  public String toString() {
    return "Subscriber{" + topic + ", " + type.name() + "}";
  }
}
