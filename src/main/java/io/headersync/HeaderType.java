package io.headersync;

/**
 * Describes a concrete header type to the generic core: how to decode it and how it checks an
 * untrusted header against a trusted one.
 *
 * <p>Implementations are stateless and thread-safe.
 *
 * @param <H> the header type
 */
public interface HeaderType<H extends Header> {
  /**
   * Decodes wire bytes (go-header's {@code UnmarshalBinary}). Does not call {@link
   * Header#validate(java.time.Clock)}.
   *
   * @param bytes the encoding, as {@link Header#encode()} writes it
   * @return the header
   * @throws InvalidHeaderException if the bytes are not a well-formed header, naming what is wrong
   */
  H decode(byte[] bytes);

  /**
   * The type's own verification of {@code untrusted} against {@code trusted} (go-header's {@code
   * trusted.Verify(untrusted)}). It must handle adjacent and non-adjacent pairs. Callers use {@link
   * Verification}, which runs go-header's mandatory checks first and turns failures on non-adjacent
   * pairs into soft failures.
   *
   * @param trusted a header already trusted
   * @param untrusted a header at a greater height, adjacent or not
   * @throws VerifyException if the check fails
   */
  void verify(H trusted, H untrusted);

  /**
   * {@return whether {@link #verify} can judge a <em>non-adjacent</em> pair, i.e. whether a header
   * many heights above a trusted one can be verified against it (go-header's assumption: a
   * light-client style check such as celestia's validator-set overlap)} Default {@code true}.
   *
   * <p>A type whose check only holds for adjacent pairs returns {@code false} (ev-node's block
   * data: {@code Data.Verify} compares {@code last_data_hash}, which only links neighbours). For
   * such a type {@link Verification} runs only go-header's mandatory checks on a non-adjacent pair
   * and reports it as {@link VerifyException.Reason#NON_ADJACENT_UNSUPPORTED} (soft), and the
   * syncer never bifurcates: it range-fetches up to a candidate and verifies adjacently.
   */
  default boolean verifiesNonAdjacent() {
    return true;
  }

  /** {@return a short name for logs and metrics, e.g. {@code "P2PSignedHeader"}} */
  String name();
}
