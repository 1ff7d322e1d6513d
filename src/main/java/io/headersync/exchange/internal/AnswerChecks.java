package io.headersync.exchange.internal;

import static io.headersync.internal.Futures.unwrap;

import io.headersync.Hash;
import io.headersync.Header;
import io.headersync.VerifyException;
import io.headersync.annotation.Nullable;
import io.headersync.exchange.Exchange;
import io.headersync.exchange.ExchangeException;
import io.headersync.exchange.PeerFailure;
import io.headersync.exchange.PeerRequestException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What makes a peer's answer acceptable beyond decoding and validation ({@link RequestClient}): the
 * answer to a hash or height request must be the header asked for, a range answer exactly the
 * heights asked for, and a header must pass the exchange's optional extra check ({@link
 * Exchange.Builder#headCheck}, run on head answers, single headers and on the first header of a
 * range chunk that does not link to another peer's chunk). A wrong answer fails with a {@link
 * PeerRequestException} saying how, which the caller charges to the peer.
 *
 * <p>Only a {@link VerifyException} is a verdict on a header; a check that throws anything else is
 * broken, not the peer: the header counts and the failure is logged (under the {@link Exchange}'s
 * logger).
 *
 * <p>Runs on the calling thread; thread-safe if the check is.
 *
 * @param <H> the header type
 */
public final class AnswerChecks<H extends Header> {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  private final @Nullable Consumer<? super H> check;

  /**
   * @param check the extra check, or null for none (every header passes it)
   */
  public AnswerChecks(@Nullable Consumer<? super H> check) {
    this.check = check;
  }

  /**
   * Whether there is an extra check at all.
   *
   * @return false when every header passes it
   */
  public boolean isSet() {
    return check != null;
  }

  /**
   * Runs the extra check on a peer's answer.
   *
   * @param h the header
   * @return why the header is wrong (the {@link VerifyException}'s message), or null when it passes
   *     or the check failed without a verdict
   */
  public @Nullable String failure(H h) {
    if (check == null) {
      return null;
    }
    try {
      check.accept(h);
      return null;
    } catch (VerifyException e) {
      return e.getMessage();
    } catch (RuntimeException e) {
      log.warn(
          "the head check failed on head {} ({}) without a verdict: {}",
          h.height(),
          h.hash(),
          e.toString());
      return null;
    }
  }

  /**
   * The answer to a request for the header with {@code hash}.
   *
   * @param hash the hash asked for
   * @param answer the peer's answer, at least one header
   * @return the header
   * @throws PeerRequestException INVALID when it has another hash or fails the extra check
   */
  public H byHash(Hash hash, List<H> answer) {
    H h = answer.get(0);
    if (!h.hash().equals(hash)) {
      throw new PeerRequestException(
          PeerFailure.INVALID, "asked for header " + hash + ", got " + h.hash());
    }
    return checked(h);
  }

  /**
   * The answer to a request for the header at {@code height}.
   *
   * @param height the height asked for
   * @param answer the peer's answer, at least one header
   * @return the header
   * @throws PeerRequestException INVALID when it is at another height or fails the extra check
   */
  public H byHeight(long height, List<H> answer) {
    H h = answer.get(0);
    if (h.height() != height) {
      throw new PeerRequestException(
          PeerFailure.INVALID, "asked for height " + height + ", got " + h.height());
    }
    return checked(h);
  }

  /**
   * The answer to a request for {@code [from, from + amount)}, checked by the caller's {@code
   * check} once its heights are right. A stage that fails with (or a check that throws) a {@link
   * VerifyException} makes the answer wrong: INVALID when hard, SOFT_VERIFICATION when soft. Any
   * other failure is the caller's own and blames no peer: it is never a {@link
   * PeerRequestException}.
   *
   * @param what the range, for the failure messages
   * @param from the first height asked for
   * @param amount how many headers were asked for
   * @param answer the peer's answer
   * @param check the caller's check
   * @return the answer, unmodifiable, once the check passed (on the thread that completed it)
   * @throws PeerRequestException NOT_FOUND when the answer is short, INVALID when its heights are
   *     wrong
   */
  public CompletionStage<List<H>> range(
      String what,
      long from,
      int amount,
      List<H> answer,
      Function<? super List<H>, ? extends CompletionStage<?>> check) {
    if (answer.size() != amount) {
      throw new PeerRequestException(
          PeerFailure.NOT_FOUND, "asked for " + what + ", got " + answer.size());
    }
    for (int i = 0; i < answer.size(); i++) {
      if (answer.get(i).height() != from + i) {
        throw new PeerRequestException(
            PeerFailure.INVALID,
            "asked for " + what + ", got height " + answer.get(i).height() + " at position " + i);
      }
    }
    List<H> headers = List.copyOf(answer);
    CompletionStage<?> checked;
    try {
      checked = Objects.requireNonNull(check.apply(headers), "the check returned null");
    } catch (RuntimeException e) {
      checked = CompletableFuture.failedFuture(e);
    }
    return checked.handle(
        (v, err) -> {
          Throwable cause = err == null ? null : unwrap(err);
          if (cause instanceof VerifyException) {
            VerifyException e = (VerifyException) cause;
            throw new PeerRequestException(
                e.isSoft() ? PeerFailure.SOFT_VERIFICATION : PeerFailure.INVALID,
                "answer to " + what + " failed the check: " + e.getMessage(),
                e);
          }
          if (cause != null) {
            // Not the peer's doing: never a PeerRequestException, which would blame this peer.
            throw cause instanceof RuntimeException && !(cause instanceof PeerRequestException)
                ? (RuntimeException) cause
                : new ExchangeException("the check of " + what + " failed: " + cause, cause);
          }
          return headers;
        });
  }

  /**
   * A single header a peer sent, if it passes the extra check.
   *
   * @param h the header
   * @return {@code h}
   * @throws PeerRequestException INVALID (the peer gets blocked) when it fails the check
   */
  public H checked(H h) {
    String invalid = failure(h);
    if (invalid != null) {
      throw new PeerRequestException(
          PeerFailure.INVALID, "header " + h.height() + " failed the check: " + invalid);
    }
    return h;
  }
}
