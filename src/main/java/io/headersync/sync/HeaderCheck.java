package io.headersync.sync;

import io.headersync.Header;
import io.headersync.VerifyException;

/**
 * An extra per-header check the syncer runs before a header is appended or accepted from gossip,
 * e.g. ev-node's proposer-signature check with the expected proposer key (go-header and ev-node do
 * not check signatures at this layer; a light node that only has headers can with this).
 *
 * <p>Called on the syncer's worker executor, for several headers of a batch in parallel, so
 * implementations must be thread-safe. They must not block on I/O.
 *
 * <p>A header fetched during catch-up that fails the check fails the sync job, and the peer that
 * served it is blocked: throw for a header that is wrong, not for trouble of your own.
 *
 * @param <H> the header type
 */
@FunctionalInterface
public interface HeaderCheck<H extends Header> {
  /**
   * Checks one header.
   *
   * @throws VerifyException when the header fails; any other runtime exception counts as a hard
   *     failure too
   */
  void check(H header);
}
