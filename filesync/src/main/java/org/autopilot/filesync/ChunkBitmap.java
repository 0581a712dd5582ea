package org.autopilot.filesync;

import java.util.Base64;
import java.util.BitSet;

/**
 * The wire form of a set of chunk indexes: the bits of a {@link BitSet} (chunk {@code i} is bit
 * {@code i}, little-endian within each byte, trailing zero bytes dropped), URL-safe base64
 * without padding. 256 chunks (a 256 MiB file) take at most 43 characters.
 */
public final class ChunkBitmap {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private ChunkBitmap() {}

  /** Encodes {@code chunks}. */
  public static String encode(BitSet chunks) {
    return ENCODER.encodeToString(chunks.toByteArray());
  }

  /** Decodes a bitmap of a file with {@code count} chunks; bits at or past {@code count} are dropped. */
  public static BitSet decode(String encoded, int count) {
    if (encoded == null || encoded.isEmpty()) {
      return new BitSet(count);
    }
    if (encoded.length() > (count + 7) / 8 * 4 / 3 + 4) {
      throw new IllegalArgumentException("bitmap longer than " + count + " chunks");
    }
    BitSet bits = BitSet.valueOf(DECODER.decode(encoded));
    bits.clear(count, Math.max(count, bits.length()));
    return bits;
  }
}
