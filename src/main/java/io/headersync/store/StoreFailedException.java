package io.headersync.store;

/**
 * The store failed a write (the disk is full, an I/O error) and accepts no more appends until it is
 * reopened. What it held before the failed write stays readable and consistent: the failed batch is
 * either wholly in the store or not at all. The message names the heights that were being written
 * and the cause; reopen the store (restart the node) once the cause is fixed and syncing resumes
 * from its head. The syncer stops on this exception instead of retrying (see {@link
 * io.headersync.sync.Syncer#fatalFailure()}).
 */
public class StoreFailedException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and no cause.
   *
   * @param message the heights that were being written and what failed
   */
  public StoreFailedException(String message) {
    super(message);
  }

  /**
   * Creates an exception that wraps the write failure behind it.
   *
   * @param message the heights that were being written and what failed
   * @param cause the database's or the disk's error
   */
  public StoreFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
