package io.headersync.evnode;

/**
 * ev-node's block and app version ({@code evnode.v1.Version}: {@code uint64 block = 1; uint64 app =
 * 2}).
 *
 * <p>Both numbers are uint64 on the wire and are kept as raw 64-bit values: a value above {@link
 * Long#MAX_VALUE} reads as negative here; print it with {@link Long#toUnsignedString(long)}.
 */
public final class Version {
  /** Both numbers zero. */
  public static final Version ZERO = new Version(0, 0);

  private final long block;
  private final long app;

  private Version(long block, long app) {
    this.block = block;
    this.app = app;
  }

  /**
   * {@return a version; the values are uint64 bit patterns}
   *
   * @param block the block protocol version
   * @param app the application version
   */
  public static Version of(long block, long app) {
    return block == 0 && app == 0 ? ZERO : new Version(block, app);
  }

  /** {@return the block protocol version (uint64 bit pattern)} */
  public long block() {
    return block;
  }

  /** {@return the application version (uint64 bit pattern)} */
  public long app() {
    return app;
  }

  byte[] encode() {
    return new Wire.Writer(22).uint64Proto3(1, block).uint64Proto3(2, app).toByteArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Version && ((Version) o).block == block && ((Version) o).app == app;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(block) * 31 + Long.hashCode(app);
  }

  @Override
  public String toString() {
    return "Version{block="
        + Long.toUnsignedString(block)
        + ", app="
        + Long.toUnsignedString(app)
        + "}";
  }
}
