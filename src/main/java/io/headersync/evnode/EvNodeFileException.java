package io.headersync.evnode;

import io.headersync.HeaderSyncException;
import io.headersync.annotation.Nullable;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An ev-node file ({@code genesis.json}, {@code signer.json}) cannot be used: it is missing or
 * unreadable, is not JSON, has a field of the wrong type or value, breaks ev-node's own rules
 * ({@code Genesis.Validate}), does not decrypt with the passphrase, or names another key than the
 * one it is used with. The message names the file and the field; {@link #field()} gives the field
 * alone when one is to blame.
 */
public final class EvNodeFileException extends HeaderSyncException {
  private static final long serialVersionUID = 1L;

  /** The JSON field to blame, or null when the whole file is. */
  private final @Nullable String field;

  EvNodeFileException(
      @Nullable Path file, @Nullable String field, String problem, @Nullable Throwable cause) {
    super(
        (file != null ? file + ": " : "")
            + (field != null ? "field \"" + field + "\": " : "")
            + problem,
        cause);
    this.field = field;
  }

  /** {@return the JSON field to blame, if one is} */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
