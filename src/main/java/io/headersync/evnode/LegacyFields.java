package io.headersync.evnode;

import io.headersync.Hash;
import java.util.Objects;

/**
 * The three header fields ev-node removed from its protobuf in v1.0.0-beta.9 ("slim" header) and
 * still reads for old blocks: {@code LastCommitHash} (field 5), {@code ConsensusHash} (7) and
 * {@code LastResultsHash} (9) — Go's {@code types.LegacyHeaderFields}.
 *
 * <p>When a decoded header carries any of them, ev-node hashes the header over the legacy layout
 * ({@link BlockHeader#encodeLegacy()}) and re-emits them after the known fields when it encodes the
 * header. Each may be at most {@link #MAX_FIELD_SIZE} bytes.
 *
 * <p>Pitfall: Go tells a nil {@code ConsensusHash} (legacy layout writes 32 zero bytes for it) from
 * an empty non-nil one (written as nothing). Decoding never produces the latter, so this class
 * treats empty as absent, which is what every decoded header means.
 */
public final class LegacyFields {
  /** Largest legacy field ev-node accepts: {@code maxLegacyHashSize}, 1 KiB. */
  public static final int MAX_FIELD_SIZE = 1024;

  private final Hash lastCommitHash;
  private final Hash consensusHash;
  private final Hash lastResultsHash;

  private LegacyFields(Hash lastCommitHash, Hash consensusHash, Hash lastResultsHash) {
    this.lastCommitHash = lastCommitHash;
    this.consensusHash = consensusHash;
    this.lastResultsHash = lastResultsHash;
  }

  /**
   * {@return the legacy fields; empty hashes mean "absent"}
   *
   * @param lastCommitHash field 5, {@code LastCommitHash}
   * @param consensusHash field 7, {@code ConsensusHash}; empty is written as 32 zero bytes in the
   *     legacy layout
   * @param lastResultsHash field 9, {@code LastResultsHash}
   * @throws IllegalArgumentException if a field is longer than {@link #MAX_FIELD_SIZE}
   */
  public static LegacyFields of(Hash lastCommitHash, Hash consensusHash, Hash lastResultsHash) {
    check("lastCommitHash", lastCommitHash);
    check("consensusHash", consensusHash);
    check("lastResultsHash", lastResultsHash);
    return new LegacyFields(lastCommitHash, consensusHash, lastResultsHash);
  }

  private static void check(String name, Hash h) {
    Objects.requireNonNull(h, name + " == null");
    if (h.size() > MAX_FIELD_SIZE) {
      throw new IllegalArgumentException(
          name + " has " + h.size() + " bytes, more than " + MAX_FIELD_SIZE);
    }
  }

  /** {@return field 5, {@code LastCommitHash}; empty when absent} */
  public Hash lastCommitHash() {
    return lastCommitHash;
  }

  /** {@return field 7, {@code ConsensusHash}; empty when absent} */
  public Hash consensusHash() {
    return consensusHash;
  }

  /** {@return field 9, {@code LastResultsHash}; empty when absent} */
  public Hash lastResultsHash() {
    return lastResultsHash;
  }

  /** {@return true when all three are empty (Go's {@code LegacyHeaderFields.IsZero})} */
  public boolean isZero() {
    return lastCommitHash.isEmpty() && consensusHash.isEmpty() && lastResultsHash.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LegacyFields)) {
      return false;
    }
    LegacyFields l = (LegacyFields) o;
    return lastCommitHash.equals(l.lastCommitHash)
        && consensusHash.equals(l.consensusHash)
        && lastResultsHash.equals(l.lastResultsHash);
  }

  @Override
  public int hashCode() {
    return Objects.hash(lastCommitHash, consensusHash, lastResultsHash);
  }

  @Override
  public String toString() {
    return "LegacyFields{lastCommitHash="
        + lastCommitHash
        + ", consensusHash="
        + consensusHash
        + ", lastResultsHash="
        + lastResultsHash
        + "}";
  }
}
