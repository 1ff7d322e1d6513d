package io.headersync.exchange;

import java.util.Objects;

/** Names and limits of go-header's header-exchange protocol, {@code header-ex/v0.0.3}. */
public final class ExchangeProtocol {
  /** The protocol id without a network: {@code header-ex/v0.0.3}. */
  public static final String BASE_ID = "header-ex/v0.0.3";

  /** The most headers one request may ask for (go-header's {@code MaxRangeRequestSize}). */
  public static final int MAX_RANGE_REQUEST_SIZE = 64;

  /** go-header's default frame limit ({@code serde.MaxMessageSize}): 1 MiB. */
  public static final int DEFAULT_MAX_FRAME_SIZE = 1 << 20;

  /** ev-node v1.2's frame limit: twice its default 5 MiB blob size, 10 MiB. */
  public static final int EVNODE_MAX_FRAME_SIZE = 10 << 20;

  private ExchangeProtocol() {}

  /**
   * {@return the stream protocol id for a network: {@code /<networkId>/header-ex/v0.0.3}, or {@code
   * header-ex/v0.0.3} (no leading slash) when {@code networkId} is empty, as go-header's {@code
   * protocolID()}}
   *
   * @param networkId the network id, e.g. {@code gm-headerSync}; may be empty
   */
  public static String protocolId(String networkId) {
    Objects.requireNonNull(networkId, "networkId == null");
    return networkId.isEmpty() ? BASE_ID : "/" + networkId + "/" + BASE_ID;
  }
}
