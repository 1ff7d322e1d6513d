/**
 * The syncer: keeps a {@link io.headersync.store.Store} caught up with the network's head, as
 * go-header v0.8.6's {@code sync.Syncer} does, and keeps its tail where the pruning window says.
 *
 * <p>{@link io.headersync.sync.Syncer} owns the subjective head (the highest verified header it
 * knows) and a bounded set of pending gossiped headers. It learns of new heads from gossip ({@link
 * io.headersync.sync.Syncer#incomingHead}, called by the subscriber's validator) and from the
 * exchange when its head is no longer recent, and fetches the gap between the store's head and the
 * subjective head through a pipelined range session, appending verified contiguous batches while
 * later ones are still in flight. Below the head, an unanchored syncer prunes headers older than
 * the pruning window and back-fills down to the configured tail ({@code syncFromHash}, {@code
 * syncFromHeight}). {@link io.headersync.sync.SyncerOptions} holds every setting with go-header's
 * defaults; {@link io.headersync.sync.SyncState} and {@link io.headersync.sync.SyncListener} report
 * progress.
 *
 * <p>Two syncers of one node can be tied together: an {@link io.headersync.sync.Anchor} lets a
 * syncer accept a header only when it matches the anchor store's header at its height (ev-node's
 * data against its headers), a {@link io.headersync.sync.FollowerLimit} holds a syncer back until a
 * follower store catches up, and a {@link io.headersync.sync.HeaderCheck} adds a check of its own
 * to every fetched header.
 *
 * <p>Threads: nothing here runs on a network event loop. Verification, the optional extra check and
 * listener callbacks run on the worker executor given to the builder; timers (retries, the
 * network-head timeout, the head refresh) on the given scheduler.
 */
@NonNullByDefault
package io.headersync.sync;

import io.headersync.annotation.NonNullByDefault;
