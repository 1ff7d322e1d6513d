package io.headersync.sync;

/**
 * A snapshot of the syncer's counters (go-header's sync metrics, as plain numbers).
 *
 * @param headersAppended headers the syncer appended to the store (readable)
 * @param batchesAppended batches appended
 * @param syncJobs sync jobs started
 * @param syncFailures sync jobs that failed (each is retried)
 * @param gossipAccepted gossiped headers accepted
 * @param gossipIgnored gossiped headers ignored (known, soft failures, not running)
 * @param gossipRejected gossiped headers rejected (hard failures)
 * @param pendingEvicted pending headers dropped to keep the pending set bounded
 * @param bifurcations bifurcation attempts ({@code hdr_bifurcations_counter})
 * @param failedBifurcations bifurcations that failed ({@code hdr_failed_bifurcations_counter})
 * @param outdatedHead times the subjective head was not recent ({@code
 *     hdr_sync_outdated_head_counter})
 * @param trustedPeersOutOfSync network heads that were not recent either ({@code
 *     hdr_sync_trust_peers_out_of_sync_counter})
 * @param subjectiveInits subjective (re)initialisations from trusted peers ({@code
 *     hdr_sync_subjective_init_counter})
 * @param tailHeight the store's tail height, 0 when empty ({@code hdr_store_tail_height_gauge})
 * @param headersPruned headers deleted below the pruning window or up to a configured tail
 * @param headersBackfilled headers fetched and prepended below the tail
 */
public record SyncMetrics(
    long headersAppended,
    long batchesAppended,
    long syncJobs,
    long syncFailures,
    long gossipAccepted,
    long gossipIgnored,
    long gossipRejected,
    long pendingEvicted,
    long bifurcations,
    long failedBifurcations,
    long outdatedHead,
    long trustedPeersOutOfSync,
    long subjectiveInits,
    long tailHeight,
    long headersPruned,
    long headersBackfilled) {}
