package io.headersync.subscriber;

import io.headersync.Header;
import java.util.concurrent.CompletableFuture;

/**
 * Decides what happens to a gossiped header after it decoded and validated: the syncer's {@code
 * incomingHead} (go-header's {@code SetVerifier} function).
 *
 * <p>The returned future completing normally accepts the header (it is delivered and forwarded);
 * failing with a soft {@link io.headersync.VerifyException} ignores it; failing with a hard one
 * rejects it (the sender is penalised by gossipsub scoring); any other failure ignores it.
 *
 * <p>Runs on the pubsub validation executor; it must not block.
 *
 * @param <H> the header type
 */
@FunctionalInterface
public interface HeaderVerifier<H extends Header> {
  /**
   * Decides on one gossiped header.
   *
   * @param header the header, decoded and validated
   * @return a future that completes normally to accept the header, or fails as the class comment
   *     says
   */
  CompletableFuture<Void> verify(H header);
}
