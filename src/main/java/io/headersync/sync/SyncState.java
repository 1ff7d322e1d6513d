package io.headersync.sync;

import io.headersync.Hash;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of the latest sync job, as go-header's {@code sync.State}.
 *
 * @param id the job counter; 0 before the first job
 * @param height the store's head height when the state was taken
 * @param fromHeight the first height the job syncs
 * @param toHeight the height the job syncs to (the subjective head when it started)
 * @param fromHash the hash of the store head the job started from
 * @param toHash the hash of the header the job syncs to
 * @param start when the job started; empty before the first job
 * @param end when the job ended; empty while it runs
 * @param error why the job failed; empty when it succeeded or still runs
 */
public record SyncState(
    long id,
    long height,
    long fromHeight,
    long toHeight,
    Hash fromHash,
    Hash toHash,
    Optional<Instant> start,
    Optional<Instant> end,
    Optional<String> error) {
  /**
   * Checks that no part is null.
   *
   * @param id the job counter
   * @param height the store's head height
   * @param fromHeight the first height the job syncs
   * @param toHeight the height the job syncs to
   * @param fromHash the hash of the store head the job started from
   * @param toHash the hash of the header the job syncs to
   * @param start when the job started
   * @param end when the job ended
   * @param error why the job failed
   */
  public SyncState {
    Objects.requireNonNull(fromHash, "fromHash == null");
    Objects.requireNonNull(toHash, "toHash == null");
    Objects.requireNonNull(start, "start == null");
    Objects.requireNonNull(end, "end == null");
    Objects.requireNonNull(error, "error == null");
  }

  /** The state before any job, at store height {@code height}. */
  static SyncState initial(long height) {
    return new SyncState(
        0,
        height,
        0,
        0,
        Hash.EMPTY,
        Hash.EMPTY,
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /**
   * {@return whether the store reached the job's target: {@code toHeight <= height} (go-header's
   * {@code Finished})}
   */
  public boolean finished() {
    return toHeight <= height;
  }

  /**
   * {@return how long the job took, or has taken so far if it still runs ({@code now})}
   *
   * @param now the current time, for a job that still runs
   */
  public Duration duration(Instant now) {
    return start.map(s -> Duration.between(s, end.orElse(now))).orElse(Duration.ZERO);
  }

  SyncState withHeight(long h) {
    return new SyncState(id, h, fromHeight, toHeight, fromHash, toHash, start, end, error);
  }
}
