package org.autopilot.devicemanager.replication;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.util.MD5FileUtil;
import org.autopilot.devicemanager.core.StorageFaultException;

/**
 * What a replica checks on its disk before Ratis may open it: every log segment read strictly
 * ({@link LogSegmentScan}), segments contiguous, the snapshot Ratis would load matching its MD5,
 * the log starting no later than right after that snapshot, and log plus snapshot reaching the
 * {@link DurableMark}. Anything else is a {@link StorageFaultException} naming the file; nothing
 * on disk is changed, so the evidence stays for the operator.
 *
 * @param snapshotIndex last index covered by the snapshot that will be loaded, -1 if none
 * @param lastLogIndex last whole entry in the log, -1 if the log is empty
 * @param durableMark the durable index recorded before, -1 if none
 */
record StorageCheck(long snapshotIndex, long lastLogIndex, long durableMark) {
  private static final Pattern CLOSED = Pattern.compile("log_(\\d+)-(\\d+)");
  private static final Pattern OPEN = Pattern.compile("log_inprogress_(\\d+)");
  private static final Pattern SNAPSHOT = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
  static final String ADVICE = " -- this replica refuses to start. With 3 or more replicas and "
      + "the others sound: move its dataDir aside and start it again, it re-joins empty and "
      + "receives the leader's snapshot; with 1 replica: restore the dataDir from a backup "
      + "(docs/device-manager.md, 'A corrupt replica')";

  /** Checks the Raft storage of group directory {@code groupDir} under {@code dataDir}. */
  static StorageCheck verify(Path dataDir, Path groupDir) throws StorageFaultException {
    try {
      return check(dataDir, groupDir);
    } catch (StorageFaultException e) {
      throw new StorageFaultException(e.file(), e.getMessage().substring(e.file().length() + 2) + ADVICE);
    }
  }

  private static StorageCheck check(Path dataDir, Path groupDir) throws StorageFaultException {
    long mark = DurableMark.read(dataDir.resolve(DurableMark.FILE));
    long snapshot = snapshotIndex(groupDir.resolve("sm"));
    List<LogSegmentScan> scans = scanLog(groupDir.resolve("current"));
    long last = -1;
    LogSegmentScan prev = null;
    for (LogSegmentScan s : scans) {
      if (s.entries() == 0) {
        continue;
      }
      if (prev == null) {
        long mustStartBy = snapshot + 1;
        if (s.firstIndex() > mustStartBy) {
          throw new StorageFaultException(s.file().toString(), "the log starts at index "
              + s.firstIndex() + " but " + (snapshot < 0 ? "there is no snapshot"
              : "the snapshot ends at index " + snapshot) + ": entries " + mustStartBy + ".."
              + (s.firstIndex() - 1) + " are missing (deleted segment or snapshot?)");
        }
      } else if (s.firstIndex() != prev.lastIndex() + 1) {
        throw new StorageFaultException(s.file().toString(), "starts at index " + s.firstIndex()
            + " but the previous segment " + prev.file().getFileName() + " ends at "
            + prev.lastIndex() + ": the log has a gap");
      }
      if (prev != null && prev.tornAt() >= 0) {
        throw new StorageFaultException(prev.file().toString(), "is cut short at offset "
            + prev.tornAt() + " yet another segment follows it");
      }
      prev = s;
      last = s.lastIndex();
    }
    long reach = Math.max(snapshot, last);
    if (mark > reach) {
      String where = prev == null ? groupDir.resolve("current").toString() : prev.file().toString();
      throw new StorageFaultException(where, "the log ends at index " + last + (prev != null
          && prev.tornAt() >= 0 ? " (cut short at offset " + prev.tornAt() + ")" : "")
          + " and the snapshot at " + snapshot + ", but " + dataDir.resolve(DurableMark.FILE)
          + " records index " + mark + " as applied and fsynced here: entries " + (reach + 1)
          + ".." + mark + " were lost (truncated log?)");
    }
    return new StorageCheck(snapshot, last, mark);
  }

  private static List<LogSegmentScan> scanLog(Path current) throws StorageFaultException {
    List<LogSegmentScan> scans = new ArrayList<>();
    if (!Files.isDirectory(current)) {
      return scans;
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(current, "log_*")) {
      ds.forEach(files::add);
    } catch (IOException e) {
      throw new StorageFaultException(current.toString(), "cannot be listed: " + e);
    }
    files.sort(Comparator.comparingLong(StorageCheck::startOf));
    for (Path f : files) {
      String name = f.getFileName().toString();
      Matcher c = CLOSED.matcher(name);
      Matcher o = OPEN.matcher(name);
      if (c.matches()) {
        scans.add(LogSegmentScan.read(f, Long.parseLong(c.group(1)), Long.parseLong(c.group(2))));
      } else if (o.matches()) {
        scans.add(LogSegmentScan.read(f, Long.parseLong(o.group(1)), -1));
      }
    }
    for (int i = 0; i + 1 < scans.size(); i++) {
      if (scans.get(i).open()) {
        throw new StorageFaultException(scans.get(i).file().toString(),
            "is an open segment but later segments follow it");
      }
    }
    return scans;
  }

  private static long startOf(Path f) {
    Matcher m = Pattern.compile("log_(?:inprogress_)?(\\d+).*").matcher(f.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
  }

  /** The index of the snapshot Ratis will load (newest with an MD5 file, else newest), verified. */
  private static long snapshotIndex(Path sm) throws StorageFaultException {
    if (!Files.isDirectory(sm)) {
      return -1;
    }
    List<Path> snaps = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(sm, "snapshot.*")) {
      ds.forEach(p -> {
        if (SNAPSHOT.matcher(p.getFileName().toString()).matches()) {
          snaps.add(p);
        }
      });
    } catch (IOException e) {
      throw new StorageFaultException(sm.toString(), "cannot be listed: " + e);
    }
    if (snaps.isEmpty()) {
      return -1;
    }
    snaps.sort(Comparator.comparingLong(StorageCheck::snapshotIndexOf).reversed());
    Path chosen = snaps.stream().filter(p -> Files.exists(md5(p))).findFirst().orElse(snaps.get(0));
    if (Files.exists(md5(chosen))) {
      try {
        MD5Hash stored = MD5FileUtil.readStoredMd5ForFile(chosen.toFile());
        MD5Hash actual = MD5FileUtil.computeMd5ForFile(chosen.toFile());
        if (!stored.equals(actual)) {
          throw new StorageFaultException(chosen.toString(), "MD5 " + actual + " does not match "
              + "the stored " + stored + " (" + md5(chosen).getFileName() + "): corrupt snapshot");
        }
      } catch (StorageFaultException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        throw new StorageFaultException(md5(chosen).toString(), "cannot be checked: " + e.getMessage());
      }
    }
    return snapshotIndexOf(chosen);
  }

  private static Path md5(Path snapshot) {
    return snapshot.resolveSibling(snapshot.getFileName() + MD5FileUtil.MD5_SUFFIX);
  }

  private static long snapshotIndexOf(Path p) {
    Matcher m = SNAPSHOT.matcher(p.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(2)) : -1;
  }
}
