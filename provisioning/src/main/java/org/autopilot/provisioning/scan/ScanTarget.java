package org.autopilot.provisioning.scan;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configured range to scan: an address block in CIDR notation (a single address is a /32 or
 * /128) and the ports to try on each address. Blocks of /30 and larger skip their network and
 * broadcast addresses, as no machine answers there.
 *
 * @param cidr {@code 10.0.0.0/24}, {@code 127.0.0.1}, {@code fd00::/120}
 * @param ports port numbers and ranges, {@code 22}, {@code 7301-7400}
 */
public record ScanTarget(String cidr, List<String> ports) {
  private static final Pattern RANGE = Pattern.compile("(\\d{1,5})(?:-(\\d{1,5}))?");
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  /** Validates the notation (not the size: see {@link #count()}). */
  public ScanTarget {
    if (cidr == null || cidr.isBlank()) {
      throw new IllegalArgumentException("a scan target needs 'cidr'");
    }
    if (ports == null || ports.isEmpty()) {
      throw new IllegalArgumentException("scan target " + cidr + " needs 'ports'");
    }
    ports = List.copyOf(ports);
    block(cidr);
    portSet(ports, cidr);
  }

  /** How many endpoints this target expands to. */
  public BigInteger count() {
    Block b = block(cidr);
    return b.size().multiply(BigInteger.valueOf(portSet(ports, cidr).size()));
  }

  /** Every endpoint, address by address, ports in order; only call after checking {@link #count()}. */
  public List<Endpoint> endpoints() {
    Block b = block(cidr);
    List<Integer> ps = List.copyOf(portSet(ports, cidr));
    List<Endpoint> out = new ArrayList<>();
    BigInteger n = b.size();
    for (BigInteger i = BigInteger.ZERO; i.compareTo(n) < 0; i = i.add(BigInteger.ONE)) {
      String host = b.address(i);
      for (int p : ps) {
        out.add(new Endpoint(host, p));
      }
    }
    return out;
  }

  private static TreeSet<Integer> portSet(List<String> ports, String cidr) {
    TreeSet<Integer> set = new TreeSet<>();
    for (String p : ports) {
      Matcher m = p == null ? null : RANGE.matcher(p.trim());
      if (m == null || !m.matches()) {
        throw new IllegalArgumentException("scan target " + cidr + ": port '" + p
            + "' is neither a port nor a range like 7301-7400");
      }
      int from = Integer.parseInt(m.group(1));
      int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
      if (from < 1 || to > 65535 || from > to) {
        throw new IllegalArgumentException("scan target " + cidr + ": ports '" + p
            + "' must lie in 1..65535, low to high");
      }
      for (int i = from; i <= to; i++) {
        set.add(i);
      }
    }
    return set;
  }

  private static Block block(String cidr) {
    String text = cidr.trim();
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    if (!LITERAL.matcher(addr).matches()) {
      throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR block");
    }
    byte[] raw;
    try {
      raw = InetAddress.getByName(addr).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR block");
    }
    int bits = raw.length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + cidr + "' has no valid prefix length");
    }
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("'" + cidr + "': prefix length must be 0.." + bits);
    }
    BigInteger value = new BigInteger(1, raw);
    BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
    BigInteger network = value.andNot(hostMask);
    boolean skipEnds = raw.length == 4 && prefix <= 30;
    return new Block(network, bits, bits - prefix, skipEnds);
  }

  /** An address block. */
  private record Block(BigInteger network, int bits, int hostBits, boolean skipEnds) {
    BigInteger size() {
      BigInteger all = BigInteger.ONE.shiftLeft(hostBits);
      return skipEnds ? all.subtract(BigInteger.TWO) : all;
    }

    String address(BigInteger i) {
      BigInteger v = network.add(skipEnds ? i.add(BigInteger.ONE) : i);
      byte[] raw = new byte[bits / 8];
      byte[] b = v.toByteArray();
      int copy = Math.min(b.length, raw.length);
      System.arraycopy(b, b.length - copy, raw, raw.length - copy, copy);
      try {
        return InetAddress.getByAddress(raw).getHostAddress();
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
