package io.headersync.exchange;

/** How a request to a peer failed; decides what happens to the peer. */
public enum PeerFailure {
  /** No answer in time: the peer's score drops, the request goes elsewhere. */
  TIMEOUT,
  /** The peer reset the stream or the connection broke: the score drops. */
  RESET,
  /**
   * The peer does not have the headers (NOT_FOUND or an empty answer): the score drops a little.
   */
  NOT_FOUND,
  /**
   * The answer could not be decoded, failed {@code validate()}, had the wrong chain id or heights,
   * or failed verification hard: the peer is blocked through the connection gater.
   */
  INVALID,
  /**
   * Verification failed softly (not enough information to call the headers wrong): the peer is not
   * blocked (go-header blocks it; we do not) but is not asked for this range again.
   */
  SOFT_VERIFICATION
}
