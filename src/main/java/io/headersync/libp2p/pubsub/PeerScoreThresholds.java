package io.headersync.libp2p.pubsub;

/**
 * The score thresholds of gossipsub v1.1 (Go's {@code PeerScoreThresholds}). A peer whose score is
 * below {@code gossip} gets no IHAVE from us and its IHAVE/IWANT are ignored; below {@code publish}
 * it gets none of our own (flood-)published messages; below {@code graylist} every RPC it sends is
 * dropped. PX records are accepted only from peers scoring at least {@code acceptPx}; opportunistic
 * grafting starts when the median mesh score is below {@code opportunisticGraft}.
 *
 * @param gossip at most 0
 * @param publish at most 0 and at most {@code gossip}
 * @param graylist at most 0 and at most {@code publish}
 * @param acceptPx at least 0
 * @param opportunisticGraft at least 0
 */
public record PeerScoreThresholds(
    double gossip, double publish, double graylist, double acceptPx, double opportunisticGraft) {
  /** All zero: what a router without peer scoring uses (every score is 0). */
  public static final PeerScoreThresholds NONE = new PeerScoreThresholds(0, 0, 0, 0, 0);

  /**
   * celestia-node's thresholds ({@code nodebuilder/p2p/pubsub.go}): gossip -1000, publish -2000,
   * graylist -8000, acceptPX 1000, opportunistic graft 5.
   */
  public static final PeerScoreThresholds CELESTIA =
      new PeerScoreThresholds(-1000, -2000, -8000, 1000, 5);

  /**
   * Checks the thresholds against Go's rules.
   *
   * @param gossip at most 0
   * @param publish at most 0 and at most {@code gossip}
   * @param graylist at most 0 and at most {@code publish}
   * @param acceptPx at least 0
   * @param opportunisticGraft at least 0
   * @throws IllegalArgumentException naming the threshold that breaks Go's rules
   */
  public PeerScoreThresholds {
    check(gossip <= 0, "gossip threshold must be <= 0, got " + gossip);
    check(
        publish <= 0 && publish <= gossip,
        "publish threshold must be <= 0 and <= gossip, got " + publish);
    check(
        graylist <= 0 && graylist <= publish,
        "graylist threshold must be <= 0 and <= publish, got " + graylist);
    check(acceptPx >= 0, "acceptPX threshold must be >= 0, got " + acceptPx);
    check(
        opportunisticGraft >= 0,
        "opportunistic graft threshold must be >= 0, got " + opportunisticGraft);
  }

  static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
