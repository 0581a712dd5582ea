package org.autopilot.provisioning.rules;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.autopilot.devicemanager.model.MachineFacts;

/**
 * What a rule asks of a machine; every condition given must hold, an absent one always does.
 *
 * @param blocks address blocks the machine's address must lie in (any of them); empty: any
 * @param ports port ranges its SSH endpoint must be on one of; empty: any
 * @param cpus bounds on its logical CPU count, or null
 * @param memory bounds on its memory in bytes, or null
 * @param disks disk names it must all have
 */
public record Match(List<Block> blocks, List<Ports> ports, Bounds cpus, Bounds memory,
    List<String> disks) {
  /** Copies. */
  public Match {
    blocks = List.copyOf(blocks);
    ports = List.copyOf(ports);
    disks = List.copyOf(disks);
  }

  /** Matches every machine. */
  public static final Match ANY = new Match(List.of(), List.of(), null, null, List.of());

  /** Whether a machine at {@code host}:{@code port} with {@code facts} meets every condition. */
  public boolean test(String host, int port, MachineFacts facts) {
    if (!ports.isEmpty() && ports.stream().noneMatch(p -> p.from() <= port && port <= p.to())) {
      return false;
    }
    if (!blocks.isEmpty() && blocks.stream().noneMatch(b -> b.contains(host))) {
      return false;
    }
    MachineFacts f = facts == null ? MachineFacts.UNKNOWN : facts;
    return (cpus == null || cpus.test(f.cpus())) && (memory == null || memory.test(f.memoryBytes()))
        && f.disks().containsAll(disks);
  }

  /**
   * A closed range of ports, kept as its ends (never expanded: {@code 1-65535} is two numbers).
   *
   * @param from first port, 1..65535
   * @param to last port, {@code from}..65535
   */
  public record Ports(int from, int to) {}

  /**
   * A closed range of numbers, either end open.
   *
   * @param min lowest value allowed, or null
   * @param max highest value allowed, or null
   */
  public record Bounds(Long min, Long max) {
    boolean test(long v) {
      return (min == null || v >= min) && (max == null || v <= max);
    }
  }

  /**
   * An address block.
   *
   * @param network the block's first address as a number
   * @param prefix its prefix length
   * @param bytes 4 for IPv4, 16 for IPv6
   */
  public record Block(BigInteger network, int prefix, int bytes) {
    private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    private static final java.util.regex.Pattern IPV4 =
        java.util.regex.Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final java.util.regex.Pattern IPV6_CHARS =
        java.util.regex.Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    /** Parses {@code 10.0.0.0/24}, {@code 127.0.0.1}, {@code fd00::/64}. */
    static Block parse(String cidr) {
      String t = cidr.trim();
      int slash = t.indexOf('/');
      String a = slash < 0 ? t : t.substring(0, slash);
      byte[] raw = literal(a);
      if (raw == null) {
        throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR block");
      }
      int bits = raw.length * 8;
      int prefix;
      try {
        prefix = slash < 0 ? bits : Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + cidr + "' has no valid prefix length");
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("'" + cidr + "': prefix length must be 0.." + bits);
      }
      return new Block(mask(new BigInteger(1, raw), prefix, bits), prefix, raw.length);
    }

    /** Whether {@code host} (an IP literal) lies in the block; a host name never does. */
    boolean contains(String host) {
      byte[] raw = host == null ? null : literal(host);
      return raw != null && raw.length == bytes
          && mask(new BigInteger(1, raw), prefix, bytes * 8).equals(network);
    }

    /**
     * The bytes of an IP literal ({@code 10.0.0.1}, {@code fd00::1}), or null. Never a name
     * lookup: {@code InetAddress.getByName("cafe")} would ask DNS, so only dotted-quad IPv4 and
     * (colon-holding) IPv6 text reaches it, and those it parses without a lookup.
     */
    static byte[] literal(String text) {
      boolean v4 = IPV4.matcher(text).matches();
      if (!v4 && (text.indexOf(':') < 0 || !IPV6_CHARS.matcher(text).matches())) {
        return null;
      }
      try {
        return InetAddress.getByName(text).getAddress();
      } catch (UnknownHostException e) {
        return null;
      }
    }

    private static BigInteger mask(BigInteger v, int prefix, int bits) {
      return v.andNot(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
    }
  }
}
