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
 * <p>A header fetched during catch-up that fails the check ({@link VerifyException}) fails the sync
 * job, and the peer that served it is blocked; the retry fetches from the other peers. Any other
 * runtime exception is taken for a broken check: it fails the job the same way but blames no peer.
 * Give the same check to the exchange ({@code Exchange.Builder.headCheck}) so that head answers
 * pass it too; {@code HeaderSyncService} does.
 *
 * @param <H> the header type
 */
@FunctionalInterface
public interface HeaderCheck<H extends Header> {
  /**
   * Checks one header.
   *
   * @param header a fetched header, already verified against its neighbours
   * @throws VerifyException when the header is wrong (treated as hard); any other runtime exception
   *     is a hard failure that blames no peer
   */
  void check(H header);
}
