package io.headersync.evnode;

import io.headersync.annotation.Nullable;
import io.headersync.libp2p.internal.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An ev-node chain's genesis, as ev-node v1.2's {@code genesis.json} holds it ({@code
 * pkg/genesis}): chain id, start time, initial height, proposer address, DA start height and the
 * forced-inclusion epoch. {@link #read} takes a file ev-node wrote; {@link #write} writes one that
 * ev-node's {@code genesis.LoadGenesis} takes, laid out as Go's {@code json.MarshalIndent} lays it
 * out.
 *
 * <pre>{@code
 * Genesis genesis = Genesis.builder("gm")
 *     .startTime(Instant.now())
 *     .proposer(key)                       // the sequencer's SignerKey: proposer_address = SHA-256(public key)
 *     .build();
 * genesis.write(home.resolve("config/genesis.json"));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Genesis {
  /** ev-node's {@code NewGenesis} default for {@code da_epoch_forced_inclusion}. */
  public static final long DEFAULT_DA_EPOCH_FORCED_INCLUSION = 50;

  private final String chainId;
  private final Instant startTime;
  private final long initialHeight;
  private final byte[] proposerAddress;
  private final long daStartHeight;
  private final long daEpochForcedInclusion;

  private Genesis(Builder b) {
    this.chainId = b.chainId;
    this.startTime = b.startTime;
    this.initialHeight = b.initialHeight;
    this.proposerAddress = b.proposerAddress;
    this.daStartHeight = b.daStartHeight;
    this.daEpochForcedInclusion = b.daEpochForcedInclusion;
  }

  /**
   * A genesis of chain {@code chainId}; the start time and the proposer are required.
   *
   * @param chainId the chain id; not empty
   * @return a new builder
   * @throws IllegalArgumentException if {@code chainId} is empty
   */
  public static Builder builder(String chainId) {
    return new Builder(chainId);
  }

  /**
   * Reads a {@code genesis.json} as ev-node's {@code genesis.LoadGenesis} does: Go's JSON rules
   * (unknown fields ignored, keys case-insensitive), then {@code Genesis.Validate}.
   *
   * @param file the {@code genesis.json} to read
   * @return the genesis, validated
   * @throws EvNodeFileException naming the file and the field that is wrong
   */
  public static Genesis read(Path file) {
    Objects.requireNonNull(file, "file == null");
    return from(JsonFields.read(file), file);
  }

  /**
   * Parses the content of a {@code genesis.json}; see {@link #read}.
   *
   * @param json the file's content
   * @return the genesis, validated
   * @throws EvNodeFileException naming the field that is wrong
   */
  public static Genesis parse(String json) {
    Objects.requireNonNull(json, "json == null");
    return from(JsonFields.parse(null, JsonFields.utf8(json)), null);
  }

  private static Genesis from(JsonFields f, @Nullable Path file) {
    String chainId = f.string("chain_id");
    if (chainId == null || chainId.isEmpty()) {
      throw f.problem("chain_id", "invalid or missing chain_id (ev-node: Genesis.Validate)");
    }
    Instant start = null;
    String time = f.string("start_time");
    if (time != null) {
      try {
        start = OffsetDateTime.parse(time, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      } catch (DateTimeParseException e) {
        throw f.problem(
            "start_time",
            "\"" + time + "\" is not an RFC 3339 time, e.g. 2026-12-04T16:41:14.119402339Z");
      }
    }
    if (start == null || start.equals(GO_ZERO_TIME)) {
      throw f.problem("start_time", "start_time cannot be zero time (ev-node: Genesis.Validate)");
    }
    long initialHeight = f.uint64("initial_height");
    if (initialHeight < 1) {
      throw f.problem("initial_height", "initial_height must be at least 1, got " + initialHeight);
    }
    byte[] proposer = f.bytes("proposer_address");
    if (proposer == null) {
      throw f.problem(
          "proposer_address", "proposer_address cannot be nil (ev-node: Genesis.Validate)");
    }
    long epoch = f.uint64("da_epoch_forced_inclusion");
    if (epoch < 1) {
      throw f.problem(
          "da_epoch_forced_inclusion",
          "da_epoch_forced_inclusion must be at least 1, got " + epoch);
    }
    Builder b =
        builder(chainId)
            .startTime(start)
            .initialHeight(initialHeight)
            .daStartHeight(f.uint64("da_start_height"))
            .daEpochForcedInclusion(epoch);
    b.proposerAddress = proposer;
    return b.build();
  }

  /** Go's zero {@code time.Time}, which ev-node refuses as a start time. */
  private static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

  /** {@return the chain id (JSON {@code chain_id}) every header and data of the chain carries} */
  public String chainId() {
    return chainId;
  }

  /** {@return the time of the block at the initial height; no block is produced before it} */
  public Instant startTime() {
    return startTime;
  }

  /** {@return the height of the first block (at least 1)} */
  public long initialHeight() {
    return initialHeight;
  }

  /**
   * {@return a copy of the proposer address: SHA-256 of the sequencer's raw Ed25519 public key (32
   * bytes)}
   */
  public byte[] proposerAddress() {
    return proposerAddress.clone();
  }

  /** {@return the DA height at which DA retrieval starts} */
  public long daStartHeight() {
    return daStartHeight;
  }

  /** {@return how many DA blocks make a forced-inclusion epoch (at least 1)} */
  public long daEpochForcedInclusion() {
    return daEpochForcedInclusion;
  }

  /**
   * {@return whether {@code key} is this chain's proposer}
   *
   * @param key a sequencer key
   */
  public boolean isProposer(SignerKey key) {
    return Arrays.equals(key.address(), proposerAddress);
  }

  /**
   * {@return whether {@code signer} is this chain's proposer}
   *
   * @param signer a header's signer, or a key file's public key as a signer
   */
  public boolean isProposer(Signer signer) {
    return Arrays.equals(signer.address(), proposerAddress);
  }

  /**
   * {@return the file's content: the layout of Go's {@code json.MarshalIndent(genesis, "", " ")},
   * start time in UTC with Go's {@code RFC3339Nano} (trailing zeros of the fraction dropped)}
   */
  public String toJson() {
    return "{\n"
        + "  \"chain_id\": "
        + JsonFields.quote(chainId)
        + ",\n"
        + "  \"start_time\": \""
        + rfc3339Nano(startTime)
        + "\",\n"
        + "  \"initial_height\": "
        + initialHeight
        + ",\n"
        + "  \"proposer_address\": \""
        + JsonFields.base64(proposerAddress)
        + "\",\n"
        + "  \"da_start_height\": "
        + daStartHeight
        + ",\n"
        + "  \"da_epoch_forced_inclusion\": "
        + daEpochForcedInclusion
        + "\n"
        + "}";
  }

  /**
   * Writes {@link #toJson()} to {@code file} (replacing it; parent directories are created), with
   * permissions {@code 0600} where supported, as ev-node's {@code Genesis.Save}.
   *
   * @param file where to write; replaced if it exists
   * @throws EvNodeFileException if it cannot be written
   */
  public void write(Path file) {
    Objects.requireNonNull(file, "file == null");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      PrivateFiles.writeAtomically(file, toJson().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new EvNodeFileException(file, null, "cannot write it: " + e, e);
    }
  }

  /** Go's {@code time.RFC3339Nano} of {@code t} in UTC. */
  static String rfc3339Nano(Instant t) {
    String s =
        DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
            OffsetDateTime.ofInstant(t, ZoneOffset.UTC).toLocalDateTime().withNano(0));
    int nanos = t.getNano();
    if (nanos != 0) {
      String frac = String.format("%09d", nanos);
      int end = frac.length();
      while (frac.charAt(end - 1) == '0') {
        end--;
      }
      s += "." + frac.substring(0, end);
    }
    return s + "Z";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Genesis g
        && chainId.equals(g.chainId)
        && startTime.equals(g.startTime)
        && initialHeight == g.initialHeight
        && Arrays.equals(proposerAddress, g.proposerAddress)
        && daStartHeight == g.daStartHeight
        && daEpochForcedInclusion == g.daEpochForcedInclusion;
  }

  @Override
  public int hashCode() {
    return Objects.hash(chainId, startTime, initialHeight, Arrays.hashCode(proposerAddress));
  }

  @Override
  public String toString() {
    return "Genesis{chain="
        + chainId
        + ", start="
        + startTime
        + ", initialHeight="
        + initialHeight
        + ", proposer="
        + HexFormat.of().withUpperCase().formatHex(proposerAddress)
        + "}";
  }

  /** Builds a {@link Genesis}. Not thread-safe. */
  public static final class Builder {
    private final String chainId;
    private @Nullable Instant startTime;
    private long initialHeight = 1;
    private byte @Nullable [] proposerAddress;
    private long daStartHeight;
    private long daEpochForcedInclusion = DEFAULT_DA_EPOCH_FORCED_INCLUSION;

    private Builder(String chainId) {
      this.chainId = Objects.requireNonNull(chainId, "chainId == null");
      if (chainId.isEmpty()) {
        throw new IllegalArgumentException("chainId is empty");
      }
    }

    /**
     * The time of the first block (required).
     *
     * @param startTime the first block's time; ev-node's sequencer uses it as that block's time
     * @return this builder
     */
    public Builder startTime(Instant startTime) {
      this.startTime = Objects.requireNonNull(startTime, "startTime == null");
      return this;
    }

    /**
     * The height of the first block; default 1.
     *
     * @param height the first block's height; at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code height} is below 1
     */
    public Builder initialHeight(long height) {
      if (height < 1) {
        throw new IllegalArgumentException("initialHeight must be at least 1, got " + height);
      }
      this.initialHeight = height;
      return this;
    }

    /**
     * The sequencer (required): its address, SHA-256 of the public key, is the proposer address.
     *
     * @param key the sequencer's key
     * @return this builder
     */
    public Builder proposer(SignerKey key) {
      this.proposerAddress = Objects.requireNonNull(key, "key == null").address();
      return this;
    }

    /**
     * The sequencer by its signer (a key file's public key, a header's signer).
     *
     * @param signer the sequencer's signer, holding its public key
     * @return this builder
     * @throws IllegalArgumentException if {@code signer} has no public key
     */
    public Builder proposer(Signer signer) {
      Objects.requireNonNull(signer, "signer == null");
      if (signer.isEmpty()) {
        throw new IllegalArgumentException("the proposer's signer has no public key");
      }
      this.proposerAddress = signer.address();
      return this;
    }

    /**
     * The DA height DA retrieval starts at; default 0.
     *
     * @param height the first DA height to read; not negative
     * @return this builder
     * @throws IllegalArgumentException if {@code height} is negative
     */
    public Builder daStartHeight(long height) {
      if (height < 0) {
        throw new IllegalArgumentException("daStartHeight must not be negative, got " + height);
      }
      this.daStartHeight = height;
      return this;
    }

    /**
     * DA blocks per forced-inclusion epoch; default 50, as ev-node's {@code NewGenesis}.
     *
     * @param blocks the epoch length in DA blocks; at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code blocks} is below 1
     */
    public Builder daEpochForcedInclusion(long blocks) {
      if (blocks < 1) {
        throw new IllegalArgumentException(
            "daEpochForcedInclusion must be at least 1, got " + blocks);
      }
      this.daEpochForcedInclusion = blocks;
      return this;
    }

    /**
     * Builds the genesis; the setters have already checked each value.
     *
     * @return the genesis; immutable
     * @throws IllegalStateException naming what is missing
     */
    public Genesis build() {
      if (startTime == null) {
        throw new IllegalStateException("a genesis needs a start time: call startTime(Instant)");
      }
      if (proposerAddress == null) {
        throw new IllegalStateException("a genesis needs a proposer: call proposer(SignerKey)");
      }
      return new Genesis(this);
    }
  }
}
