package io.headersync.libp2p.pubsub;

import io.headersync.libp2p.PeerId;
import java.util.concurrent.CompletableFuture;

/**
 * Decides whether a message of a topic is delivered and forwarded. Runs on the validation executor,
 * never on the router thread; it may return an incomplete future and finish later. A future not
 * done within the validation timeout counts as {@link ValidationResult#IGNORE}; a failed future or
 * a thrown exception as {@link ValidationResult#REJECT}.
 */
@FunctionalInterface
public interface Validator {
  /**
   * Judges one message.
   *
   * @param source the peer that sent the message to us (our own id for local publishes)
   * @param message the message, signature already verified
   * @return a future with the verdict; one not done within the validation timeout counts as {@link
   *     ValidationResult#IGNORE}, a failed one as {@link ValidationResult#REJECT}
   */
  CompletableFuture<ValidationResult> validate(PeerId source, Message message);
}
