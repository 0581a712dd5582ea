package org.autopilot.devicemanager.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.autopilot.devicemanager.command.Proposal;

/**
 * One entry of the replicated log: a group-committed batch of proposals and the time the leader
 * stamped on it. Encoded as JSON {@code {"format":1,"at":MILLIS,"proposals":[...]}}; the
 * proposals part is encoded once by whoever batches, and the leader only wraps it with the stamp.
 *
 * @param at leader time of the batch
 * @param proposals the commands, in log order
 */
public record LogBatch(Instant at, List<Proposal> proposals) {
  /** The entry format written by this version; readers accept only formats they know. */
  public static final int FORMAT = 1;

  private static final byte[] HEAD =
      ("{\"format\":" + FORMAT + ",\"at\":").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MID = ",\"proposals\":".getBytes(StandardCharsets.US_ASCII);

  /** Encodes the proposals part that the leader will stamp. */
  public static byte[] encodeProposals(List<Proposal> proposals) {
    try {
      return Json.mapper().writeValueAsBytes(proposals);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Wraps encoded proposals with the leader's time into a log entry. */
  public static byte[] stamp(byte[] encodedProposals, long atMillis) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(encodedProposals.length + 48);
    out.writeBytes(HEAD);
    out.writeBytes(Long.toString(atMillis).getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(MID);
    out.writeBytes(encodedProposals);
    out.write('}');
    return out.toByteArray();
  }

  /** Decodes a log entry; a malformed one raises {@link IllegalArgumentException} saying why. */
  public static LogBatch decode(byte[] entry) {
    try {
      Raw raw = Json.mapper().readValue(entry, Raw.class);
      if (raw.format() != FORMAT) {
        throw new IllegalArgumentException("unknown log entry format " + raw.format());
      }
      return new LogBatch(Instant.ofEpochMilli(raw.at()), raw.proposals());
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed log entry: " + e.getMessage(), e);
    }
  }

  private record Raw(int format, long at, List<Proposal> proposals) {}
}
