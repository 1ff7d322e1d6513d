package io.headersync.evnode;

import io.headersync.HeaderSyncException;
import java.util.Objects;

/**
 * A block cannot be made or published valid: it would break one of ev-node's sequence rules ({@code
 * State.AssertValidSequence}, {@code ValidateBasic}, the data commitment) or a limit of the
 * network. Thrown before anything is signed, stored or sent; {@link #rule()} says which rule, and
 * the message names the block and the values that break it.
 */
public final class BlockRuleException extends HeaderSyncException {
  private static final long serialVersionUID = 1L;

  /** The rule a block would break. */
  public enum Rule {
    /** The block is of another chain than the genesis or the node names. */
    CHAIN_ID,
    /**
     * The key is not the genesis proposer (ev-node: {@code ErrNotProposer}, {@code unexpected
     * proposer}).
     */
    PROPOSER,
    /** The height is not the next one: below the initial height, or not the stored head + 1. */
    HEIGHT,
    /**
     * The block does not link to the one before it ({@code last_header_hash}, {@code
     * last_data_hash}).
     */
    LINK,
    /**
     * The time is before the genesis start time or the previous block's time, or too far ahead of
     * now.
     */
    TIME,
    /** The block's data would not fit in one gossip message of the network (5 MiB on ev-node). */
    SIZE
  }

  /** The rule the block would break. */
  private final Rule rule;

  BlockRuleException(Rule rule, String message) {
    super(message);
    this.rule = Objects.requireNonNull(rule, "rule == null");
  }

  /** {@return the rule the block would break} The message names the values that break it. */
  public Rule rule() {
    return rule;
  }
}
