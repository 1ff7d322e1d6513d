package io.headersync.bench;

/**
 * JMH-style warm-up for the side-by-side harnesses: whole rounds until the JIT has settled, so the
 * measured runs are the steady state of a long-running node. On two cores C2 competes with the work
 * itself and needs about ten 100,000-header catch-ups to finish; a fixed two rounds left it taking
 * a third of the CPU of the measured runs.
 */
final class JitWarmup {
  /** A round's JIT share (of this JVM's CPU) under which the JIT counts as settled. */
  static final double SETTLED = 0.05;

  static final int MAX_ROUNDS = 20;

  /** One warm-up round. */
  interface Round {
    void run() throws Exception;
  }

  private JitWarmup() {}

  /**
   * Runs {@code round} until the JIT compiler threads took under {@link #SETTLED} of a round's CPU
   * (at most {@link #MAX_ROUNDS} rounds), or exactly {@code -Dbench.warmups} rounds when that is
   * set, or {@code fixedRounds} when it is not negative; prints and returns the number of rounds.
   */
  static int run(int fixedRounds, Round round) throws Exception {
    int fixed = Integer.getInteger("bench.warmups", fixedRounds);
    int rounds = 0;
    double share = 1;
    while (fixed < 0 ? rounds < MAX_ROUNDS && share > SETTLED : rounds < fixed) {
      CpuSplit cpu = CpuSplit.start();
      round.run();
      share = cpu.jitShare();
      rounds++;
    }
    System.out.printf(
        "warm-up: %d rounds; the JIT took %.0f%% of the last one's CPU%n", rounds, 100 * share);
    return rounds;
  }
}
