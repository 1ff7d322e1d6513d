package io.headersync.libp2p.pubsub;

import com.google.protobuf.ByteString;
import io.headersync.annotation.Nullable;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PeerIdFormatException;
import io.headersync.libp2p.pubsub.internal.MessageSigning;
import io.headersync.libp2p.pubsub.internal.pb.PubsubProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an incoming message passes before it is routed, in order: the signature policy's shape
 * check, a check that it is not our own, a check that we subscribe to its topic, the seen cache,
 * the limit of concurrent validations, then (on the validation executor, bounded by the timeout)
 * the signature and the topic's validator. As in Go, an id is marked seen only when its message is
 * accepted, and a copy of a message still in validation is held (a few) in case the first turns out
 * invalid, so a forged copy cannot suppress the genuine one. Router thread only, but for the
 * validation itself.
 */
final class ValidationPipeline {
  private static final Logger log = LoggerFactory.getLogger(ValidationPipeline.class);

  /** Copies of a message being validated kept in case it turns out invalid. */
  private static final int MAX_HELD_COPIES = 4;

  private final Router router;
  private final SignaturePolicy policy;
  private final int maxConcurrentValidations;
  private final Duration validationTimeout;
  private final MessageIdFunction defaultIdFunction;
  private final Map<String, MessageIdFunction> idFunctions;
  private final Executor executor;
  private final Map<String, Validator> validators = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong throttled = new AtomicLong();

  /** Messages in validation by id, with the copies held meanwhile. */
  private final Map<ByteString, List<HeldCopy>> inValidation = new HashMap<>();

  private record HeldCopy(PeerId source, PubsubProto.Message wire, Message message) {}

  ValidationPipeline(Router router, PubSub.Builder b) {
    this.router = router;
    this.policy = b.policy;
    this.maxConcurrentValidations = b.maxConcurrentValidations;
    this.validationTimeout = b.validationTimeout;
    this.defaultIdFunction = b.defaultIdFunction;
    this.idFunctions = Map.copyOf(b.idFunctions);
    this.executor = b.validationExecutor != null ? b.validationExecutor : router.host.executor();
  }

  void register(String topic, Validator validator) {
    validators.put(topic, validator);
  }

  void unregister(String topic) {
    validators.remove(topic);
  }

  long throttled() {
    return throttled.get();
  }

  MessageIdFunction idFunction(String topic) {
    return idFunctions.getOrDefault(topic, defaultIdFunction);
  }

  /** A message in an RPC from {@code source} (router thread). */
  void incoming(PeerId source, PubsubProto.Message wire) {
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
    if (m.from().filter(router.self::equals).isPresent()) {
      return; // our own message, looped back
    }
    if (!router.subscribed(m.topic())) {
      return;
    }
    Message withId = m.withId(idFunction(m.topic()).apply(m));
    router.counters.messagesReceived.incrementAndGet();
    // As Go: ids are marked seen only once a message is accepted, so a forged copy (bad signature,
    // someone else's from and seqno) cannot make us drop the genuine message.
    if (router.seen.contains(withId.id())) {
      router.counters.duplicates.incrementAndGet();
      router.strategy.duplicate(source, withId);
      return;
    }
    if (inFlight.get() >= maxConcurrentValidations) {
      throttled.incrementAndGet();
      return;
    }
    ByteString key = ByteString.copyFrom(withId.id());
    List<HeldCopy> held = inValidation.get(key);
    if (held != null) {
      // A copy of a message being validated: validated only if that one turns out invalid (a
      // forged copy must not suppress the genuine one), else it is a duplicate. A few are kept.
      router.counters.duplicates.incrementAndGet();
      router.strategy.duplicate(source, withId);
      if (held.size() < MAX_HELD_COPIES) {
        held.add(new HeldCopy(source, wire, withId));
      }
      return;
    }
    inValidation.put(key, new ArrayList<>(2));
    router.strategy.validating(source, withId);
    validateAndRoute(key, new HeldCopy(source, wire, withId));
  }

  private void validateAndRoute(ByteString key, HeldCopy copy) {
    Message withId = copy.message();
    PeerId source = copy.source();
    validate(source, copy.wire(), withId, policy == SignaturePolicy.STRICT_SIGN)
        .whenCompleteAsync(
            (result, e) -> {
              if (router.closed()) {
                return;
              }
              // Not run (the validation executor refused it): ignored, as a validation that timed
              // out.
              ValidationResult r = e != null ? ValidationResult.IGNORE : result;
              if (r == ValidationResult.ACCEPT) {
                inValidation.remove(key);
                if (router.seen.add(withId.id())) {
                  router.route(source, copy.wire(), withId);
                }
                return;
              }
              log.debug("message {} from {}: {}", withId, source, r);
              if (r == ValidationResult.REJECT) {
                router.counters.rejected.incrementAndGet();
                router.strategy.rejected(source, withId);
              } else {
                router.counters.ignored.incrementAndGet();
                router.strategy.ignored(source, withId);
              }
              List<HeldCopy> held = inValidation.get(key);
              if (r == ValidationResult.REJECT && held != null && !held.isEmpty()) {
                validateAndRoute(key, held.remove(0));
              } else {
                inValidation.remove(key);
              }
            },
            router.dropping());
  }

  /**
   * Runs the signature check (for incoming StrictSign messages) and the topic's validator on the
   * validation executor, bounded by the timeout. Completes with the result; exceptionally only with
   * the {@link RejectedExecutionException} of a validation executor that refused the work.
   */
  CompletableFuture<ValidationResult> validate(
      PeerId source, PubsubProto.Message wire, Message m, boolean checkSignature) {
    Validator v = validators.get(m.topic());
    if (!checkSignature && v == null) {
      return CompletableFuture.completedFuture(ValidationResult.ACCEPT);
    }
    CompletableFuture<ValidationResult> result = new CompletableFuture<>();
    try {
      executor.execute(() -> run(source, wire, m, checkSignature, v, result));
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
    inFlight.incrementAndGet();
    return result
        .completeOnTimeout(
            ValidationResult.IGNORE, validationTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((r, e) -> inFlight.decrementAndGet());
  }

  private static void run(
      PeerId source,
      PubsubProto.Message wire,
      Message m,
      boolean checkSignature,
      @Nullable Validator v,
      CompletableFuture<ValidationResult> result) {
    try {
      if (checkSignature && !MessageSigning.verify(wire)) {
        result.complete(ValidationResult.REJECT);
        return;
      }
      if (v == null) {
        result.complete(ValidationResult.ACCEPT);
        return;
      }
      v.validate(source, m)
          .whenComplete(
              (r, e) -> result.complete(e != null || r == null ? ValidationResult.REJECT : r));
    } catch (RuntimeException e) {
      log.warn("validator of {} threw", m.topic(), e);
      result.complete(ValidationResult.REJECT);
    }
  }
}
