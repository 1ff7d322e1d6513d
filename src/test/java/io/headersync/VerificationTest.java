package io.headersync;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.VerifyException.Reason;
import io.headersync.testkit.DummyChain;
import io.headersync.testkit.DummyHeader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Ports go-header v0.8.6 {@code headertest/verify_test.go}: TestVerify and TestVerifyRange. */
class VerificationTest {
  // go-header's suite puts genesis 10 s before now; the clock is fixed so the table is
  // deterministic.
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00.123456789Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final Verification<DummyHeader> VERIFY =
      new Verification<>(DummyHeader.TYPE, CLOCK);

  private static DummyChain suite() {
    return new DummyChain(NOW.minusSeconds(10));
  }

  /**
   * One row of go-header's TestVerify table: trusted, a way to make the untrusted header, expected
   * outcome.
   */
  static Stream<Arguments> verifyTable() {
    List<Arguments> rows = new ArrayList<>();
    row(
        rows,
        "adjacent type failure is hard",
        (s) -> s.next().withVerifyFailure(false),
        Reason.TYPE_CHECK,
        false);
    // go-header marks a type failure soft when non-adjacent even if the type said hard.
    row(
        rows,
        "non-adjacent type failure is soft",
        (s) -> {
          s.next();
          return s.next().withVerifyFailure(false);
        },
        Reason.TYPE_CHECK,
        true);
    row(rows, "valid adjacent", DummyChain::next, null, false);
    row(rows, "zero untrusted", (s) -> DummyHeader.zero(), Reason.ZERO_HEADER, false);
    row(rows, "wrong chain id", (s) -> s.next().withChainId("gtmb"), Reason.WRONG_CHAIN_ID, false);
    row(
        rows,
        "unordered time",
        (s) -> s.next().withTime(s.head().time().truncatedTo(ChronoUnit.HOURS)),
        Reason.UNORDERED_TIME,
        false);
    row(
        rows,
        "from the future",
        (s) -> s.next().withTime(s.head().time().plus(Duration.ofMinutes(1))),
        Reason.FROM_FUTURE,
        false);
    row(rows, "known height", (s) -> s.next().withHeight(1), Reason.KNOWN_HEADER, false);
    return rows.stream();
  }

  private static void row(
      List<Arguments> rows,
      String name,
      Function<DummyChain, DummyHeader> untrusted,
      Reason reason,
      boolean soft) {
    rows.add(Arguments.of(name, untrusted, reason, soft));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("verifyTable")
  void verifyMatchesGoHeader(
      String name, Function<DummyChain, DummyHeader> prepare, Reason reason, boolean soft) {
    DummyChain s = suite();
    DummyHeader trusted = s.next();
    DummyHeader untrusted = prepare.apply(s);
    if (reason == null) {
      assertDoesNotThrow(() -> VERIFY.verify(trusted, untrusted));
      return;
    }
    VerifyException e =
        assertThrows(VerifyException.class, () -> VERIFY.verify(trusted, untrusted));
    assertEquals(reason, e.reason(), e.getMessage());
    assertEquals(soft, e.isSoft(), e.getMessage());
    assertTrue(e.getMessage().startsWith("header verification failed: "), e.getMessage());
  }

  @Test
  void zeroTrustedHeaderIsRejected() {
    DummyHeader untrusted = suite().next();
    VerifyException e =
        assertThrows(VerifyException.class, () -> VERIFY.verify(DummyHeader.zero(), untrusted));
    assertEquals(Reason.ZERO_HEADER, e.reason());
    assertFalse(e.isSoft());
  }

  @Test
  void typeFailureSoftnessIsKeptForAdjacentPairs() {
    DummyChain s = suite();
    DummyHeader trusted = s.next();
    VerifyException e =
        assertThrows(
            VerifyException.class, () -> VERIFY.verify(trusted, s.next().withVerifyFailure(true)));
    assertTrue(e.isSoft(), "an adjacent failure keeps the type's own soft flag");
  }

  @Test
  void equalTimesAreAllowed() {
    DummyChain s = suite();
    DummyHeader trusted = s.next();
    assertDoesNotThrow(() -> VERIFY.verify(trusted, s.next().withTime(trusted.time())));
  }

  @Test
  void clockDriftBoundaryIsInclusive() {
    DummyChain s = suite();
    DummyHeader trusted = s.next();
    assertDoesNotThrow(() -> VERIFY.verify(trusted, s.next().withTime(NOW.plusSeconds(10))));
    VerifyException e =
        assertThrows(
            VerifyException.class,
            () -> VERIFY.verify(trusted, s.next().withTime(NOW.plusSeconds(10).plusNanos(1))));
    assertEquals(Reason.FROM_FUTURE, e.reason());
  }

  @Test
  void messagesNameTheValuesLikeGoHeader() {
    DummyChain s = suite();
    DummyHeader trusted = s.next();
    VerifyException known =
        assertThrows(VerifyException.class, () -> VERIFY.verify(trusted, s.next().withHeight(1)));
    assertEquals(
        "header verification failed: known header: '1' <= current '1'", known.getMessage());
    VerifyException chain =
        assertThrows(
            VerifyException.class, () -> VERIFY.verify(trusted, s.next().withChainId("other")));
    assertEquals(
        "header verification failed: wrong chain id: 'other' != 'test'", chain.getMessage());
  }

  @Test
  void typeCheckThrowingSomethingElseStillFailsVerification() {
    HeaderType<DummyHeader> broken =
        new HeaderType<>() {
          @Override
          public DummyHeader decode(byte[] bytes) {
            throw new UnsupportedOperationException();
          }

          @Override
          public void verify(DummyHeader trusted, DummyHeader untrusted) {
            throw new IllegalStateException("boom");
          }

          @Override
          public String name() {
            return "broken";
          }
        };
    DummyChain s = suite();
    DummyHeader trusted = s.next();
    VerifyException e =
        assertThrows(
            VerifyException.class,
            () -> new Verification<>(broken, CLOCK).verify(trusted, s.next()));
    assertEquals(Reason.TYPE_CHECK, e.reason());
    assertFalse(e.isSoft());
  }

  // ---- TestVerifyRange ----

  @Test
  void verifyRangeAcceptsAllHeaders() {
    DummyChain s = suite();
    DummyHeader trusted = s.next();
    Verification.RangeResult<DummyHeader> r = VERIFY.verifyRange(trusted, s.next(5));
    assertTrue(r.isComplete());
    assertEquals(5, r.verified().size());
  }

  @Test
  void verifyRangeRejectsEmptyRange() {
    Verification.RangeResult<DummyHeader> r = VERIFY.verifyRange(suite().next(), List.of());
    assertEquals(Reason.EMPTY_RANGE, r.error().orElseThrow().reason());
    assertEquals(0, r.verified().size());
  }

  @Test
  void verifyRangeRejectsZeroHeaders() {
    Verification.RangeResult<DummyHeader> r =
        VERIFY.verifyRange(DummyHeader.zero(), List.of(DummyHeader.zero()));
    assertEquals(Reason.ZERO_HEADER, r.error().orElseThrow().reason());
  }

  @Test
  void verifyRangeReturnsPrefixBeforeMidRangeFailure() {
    DummyChain s = suite();
    DummyHeader trusted = s.next();
    List<DummyHeader> headers = new ArrayList<>(s.next(5));
    headers.set(2, headers.get(2).withVerifyFailure(false));
    Verification.RangeResult<DummyHeader> r = VERIFY.verifyRange(trusted, headers);
    assertEquals(Reason.TYPE_CHECK, r.error().orElseThrow().reason());
    assertEquals(headers.subList(0, 2), r.verified());
  }

  @Test
  void verifyRangeRejectsGapAfterFirstHeader() {
    DummyChain s = suite();
    DummyHeader trusted = s.next();
    s.next(); // the first header of the range may be non-adjacent to the trusted one
    List<DummyHeader> three = s.next(3);
    List<DummyHeader> headers = List.of(three.get(0), three.get(2));
    Verification.RangeResult<DummyHeader> r = VERIFY.verifyRange(trusted, headers);
    VerifyException e = r.error().orElseThrow();
    assertEquals(Reason.NON_ADJACENT_RANGE, e.reason());
    assertFalse(e.isSoft());
    assertEquals(List.of(three.get(0)), r.verified());
    assertTrue(
        e.getMessage().contains("expected_untrusted: " + (three.get(0).height() + 1)),
        e.getMessage());
  }

  @Test
  void verifyRangeAllowsNonAdjacentFirstHeader() {
    DummyChain s = suite();
    DummyHeader trusted = s.next();
    s.next(50);
    Verification.RangeResult<DummyHeader> r = VERIFY.verifyRange(trusted, s.next(5));
    assertTrue(r.isComplete(), () -> r.error().map(Throwable::getMessage).orElse(""));
  }

  @Test
  void rejectsNegativeClockDrift() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Verification<>(DummyHeader.TYPE, CLOCK, Duration.ofSeconds(-1)));
  }
}
