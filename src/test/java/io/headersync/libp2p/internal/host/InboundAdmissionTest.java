package io.headersync.libp2p.internal.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class InboundAdmissionTest {
  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void limitsPerAddressAndSubnetExceptLoopback() throws Exception {
    InboundAdmission<String> a = new InboundAdmission<>(1000, 1000, 2, 3);
    assertNull(a.admit("a1", ip("10.0.0.1")).refused);
    assertNull(a.admit("a2", ip("10.0.0.1")).refused);
    String refused = a.admit("a3", ip("10.0.0.1")).refused;
    assertNotNull(refused);
    assertTrue(refused.contains("from 10.0.0.1 (limit 2)"), refused);
    assertNull(a.admit("b1", ip("10.0.0.2")).refused);
    String subnet = a.admit("c1", ip("10.0.0.3")).refused;
    assertNotNull(subnet);
    assertTrue(subnet.contains("subnet"), subnet);
    assertNull(a.admit("d1", ip("10.0.1.1")).refused, "another /24");
    for (int i = 0; i < 10; i++) {
      assertNull(a.admit("lo" + i, ip("127.0.0.1")).refused, "loopback is exempt");
    }
    assertNull(a.admit("none", null).refused, "no address (in-memory)");
    a.closed("a1");
    a.closed("a1"); // idempotent
    assertNull(a.admit("a4", ip("10.0.0.1")).refused, "a closed connection frees its address slot");
    assertEquals(15, a.inbound());
  }

  @Test
  void aFullHandshakeBudgetEvictsTheOldestIdleConnection() throws Exception {
    InboundAdmission<String> a = new InboundAdmission<>(1000, 3, 100, 100);
    a.admit("idle-1", null);
    a.admit("talking", null);
    a.admit("idle-2", null);
    a.sent("talking");
    assertEquals("idle-1", a.admit("new-1", null).evict);
    assertEquals("idle-2", a.admit("new-2", null).evict);
    a.sent("new-1");
    a.sent("new-2");
    assertEquals("talking", a.admit("new-3", null).evict, "none idle: the oldest");
    a.upgraded("new-1");
    assertNull(a.admit("new-4", null).evict, "an upgraded connection leaves the handshake budget");
    assertEquals(3, a.handshaking());
  }

  @Test
  void theInboundBudgetRefusesBeyondItsLimit() throws Exception {
    InboundAdmission<String> a = new InboundAdmission<>(2, 10, 10, 10);
    a.admit("1", null);
    a.upgraded("1");
    a.admit("2", null);
    assertNotNull(a.admit("3", null).refused);
    a.closed("1");
    assertNull(a.admit("3", null).refused);
  }
}
