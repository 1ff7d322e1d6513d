package io.headersync.libp2p.host;

import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamHandler;

/** Reads to EOF, writing every chunk back, then half-closes: the interop peer's echo protocol. */
public final class EchoHandler implements StreamHandler {
  public static final String PROTOCOL = "/headersync-test/echo/1.0.0";

  @Override
  public void handle(Stream s) {
    step(s);
  }

  private static void step(Stream s) {
    s.read()
        .whenComplete(
            (chunk, t) -> {
              if (t != null) {
                s.reset();
              } else if (chunk.isEmpty()) {
                s.closeWrite().whenComplete((v, t2) -> s.close());
              } else {
                s.write(chunk.get())
                    .whenComplete(
                        (v, t2) -> {
                          if (t2 != null) {
                            s.reset();
                          } else {
                            step(s);
                          }
                        });
              }
            });
  }
}
