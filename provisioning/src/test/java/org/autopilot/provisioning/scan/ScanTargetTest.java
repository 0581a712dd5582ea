package org.autopilot.provisioning.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScanTargetTest {
  @Test
  void aSingleAddressWithAPortRange() {
    ScanTarget t = new ScanTarget("127.0.0.1", List.of("7301-7303", "22"));
    assertThat(t.endpoints()).extracting(Endpoint::address)
        .containsExactly("127.0.0.1:22", "127.0.0.1:7301", "127.0.0.1:7302", "127.0.0.1:7303");
  }

  @Test
  void aBlockSkipsItsNetworkAndBroadcastAddresses() {
    ScanTarget t = new ScanTarget("10.0.0.77/29", List.of("22"));
    assertThat(t.count()).isEqualTo(BigInteger.valueOf(6));
    assertThat(t.endpoints()).extracting(Endpoint::address).containsExactly("10.0.0.73:22",
        "10.0.0.74:22", "10.0.0.75:22", "10.0.0.76:22", "10.0.0.77:22", "10.0.0.78:22");
    assertThat(new ScanTarget("10.0.0.0/31", List.of("22")).count()).isEqualTo(BigInteger.TWO);
  }

  @Test
  void aLargeBlockIsCountedWithoutExpanding() {
    assertThat(new ScanTarget("10.0.0.0/8", List.of("22", "2222")).count())
        .isEqualTo(BigInteger.valueOf((1L << 24) - 2).multiply(BigInteger.TWO));
    assertThat(new ScanTarget("fd00::/64", List.of("22")).count()).isEqualTo(BigInteger.ONE.shiftLeft(64));
  }

  @Test
  void ipv6AddressesAreBracketedInAddresses() {
    ScanTarget t = new ScanTarget("fd00::/127", List.of("22"));
    assertThat(t.endpoints()).extracting(Endpoint::address)
        .containsExactly("[fd00:0:0:0:0:0:0:0]:22", "[fd00:0:0:0:0:0:0:1]:22");
  }

  @Test
  void badNotationIsRefusedSayingWhat() {
    assertThatThrownBy(() -> new ScanTarget("10.0.0.0/33", List.of("22")))
        .hasMessageContaining("prefix length must be 0..32");
    assertThatThrownBy(() -> new ScanTarget("example.com", List.of("22")))
        .hasMessageContaining("is not an IP address or CIDR block");
    assertThatThrownBy(() -> new ScanTarget("10.0.0.1", List.of("70000")))
        .hasMessageContaining("1..65535");
    assertThatThrownBy(() -> new ScanTarget("10.0.0.1", List.of("30-20")))
        .hasMessageContaining("low to high");
    assertThatThrownBy(() -> new ScanTarget("10.0.0.1", List.of("ssh")))
        .hasMessageContaining("neither a port nor a range");
    assertThatThrownBy(() -> new ScanTarget("10.0.0.1", List.of()))
        .hasMessageContaining("needs 'ports'");
  }
}
