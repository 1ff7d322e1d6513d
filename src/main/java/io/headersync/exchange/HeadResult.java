package io.headersync.exchange;

import io.headersync.Header;
import io.headersync.VerifyException;
import java.util.Objects;
import java.util.Optional;

/**
 * The head the network agreed on, verified against a trusted head. When verification failed softly
 * the header comes with the failure, as go-header's {@code Head} contract requires, so the caller
 * can try bifurcation.
 *
 * @param <H> the header type
 * @param header the head
 * @param softFailure the soft verification failure against the trusted head, if any
 */
public record HeadResult<H extends Header>(H header, Optional<VerifyException> softFailure) {
  /**
   * Checks that no part is null.
   *
   * @param header the head
   * @param softFailure the soft verification failure against the trusted head, if any
   */
  public HeadResult {
    Objects.requireNonNull(header, "header == null");
    Objects.requireNonNull(softFailure, "softFailure == null");
  }
}
