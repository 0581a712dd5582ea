package org.autopilot.filesync;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Files named by their SHA-256 under {@code <root>/blobs/ab/<hash>}, each with a chunk list
 * ({@code <hash>.chunks}: the SHA-256 of every {@link #CHUNK}-byte chunk) written when the file
 * is stored, so a reader can verify data chunk by chunk. Partial downloads live in
 * {@code <root>/partial/}: {@code <hash>.part} holds a verified prefix ({@link BlobFetcher}),
 * {@code <hash>.sparse} chunks in any order ({@link SwarmFetcher}; which of them are verified
 * is known only in memory, to the {@link PartialBlob} that is open on it, and re-checked on
 * resume). Writes are atomic (temporary file, fsync, rename).
 */
public final class ContentStore {
  /** Chunk size for verification and resumption. */
  public static final int CHUNK = 1 << 20;
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path root;
  private final BlockIo io;
  private final Map<String, PartialBlob> assembling = new ConcurrentHashMap<>();

  /**
   * The chunk list of a file.
   *
   * @param size file size in bytes
   * @param chunkSize chunk size in bytes
   * @param chunks hex SHA-256 of each chunk, in order
   */
  public record Chunks(long size, int chunkSize, List<String> chunks) {}

  /** A store rooted at {@code root} (created when missing). */
  public ContentStore(Path root) throws IOException {
    this.root = root;
    Files.createDirectories(root.resolve("blobs"));
    Files.createDirectories(root.resolve("partial"));
    Files.createDirectories(root.resolve("tmp"));
    this.io = BlockIo.probe(root.resolve("partial"));
  }

  /** How blob files here are read and written: bypassing the page cache where possible. */
  BlockIo io() {
    return io;
  }

  /** Rejects anything but 64 lowercase hex digits (so no path can be smuggled in). */
  public static String checkHash(String hash) {
    if (hash == null || !HASH.matcher(hash).matches()) {
      throw new IllegalArgumentException("'" + hash + "' is not a SHA-256 (64 lowercase hex digits)");
    }
    return hash;
  }

  /** Where the file with this hash lives. */
  public Path path(String hash) {
    checkHash(hash);
    return root.resolve("blobs").resolve(hash.substring(0, 2)).resolve(hash);
  }

  /** Where a partial download of this hash lives. */
  public Path partial(String hash) {
    return root.resolve("partial").resolve(checkHash(hash) + ".part");
  }

  /** Where a partial download of this hash assembled in any chunk order lives. */
  Path sparse(String hash) {
    return root.resolve("partial").resolve(checkHash(hash) + ".sparse");
  }

  /**
   * Opens the sparse partial file of {@code hash} for assembly, keeping the chunks already in it
   * that verify, and makes its held chunks visible to {@link #assembling(String)} (so a
   * {@link BlobServer} on this store serves them). One assembly per hash at a time.
   */
  PartialBlob openPartial(String hash, Chunks chunks) throws IOException {
    PartialBlob blob = PartialBlob.open(hash, chunks, sparse(hash), io);
    if (assembling.putIfAbsent(hash, blob) != null) {
      blob.close();
      throw new IllegalStateException(hash + " is already being assembled in " + root);
    }
    return blob;
  }

  /** How many verified chunks of {@code hash} are here while it is being assembled (0 if it is not). */
  public int heldChunks(String hash) {
    return assembling(hash).map(p -> p.held().cardinality()).orElse(0);
  }

  /** The blob being assembled under this hash, if any. */
  Optional<PartialBlob> assembling(String hash) {
    return Optional.ofNullable(assembling.get(hash));
  }

  /**
   * Installs a complete sparse partial after checking the whole file's hash; a file whose hash
   * differs is deleted and reported. Either way it is no longer being assembled.
   */
  void commit(PartialBlob blob) throws IOException {
    try {
      String actual = blob.digest();
      if (!actual.equals(blob.hash())) {
        Files.delete(blob.file());
        throw new IOException("assembled data hashes to " + actual + ", not " + blob.hash() + "; discarded");
      }
      blob.trim();
      install(blob.file(), blob.hash(), blob.chunks());
    } finally {
      release(blob);
    }
  }

  /** Stops assembling {@code blob}, keeping its file for a later resume. */
  void release(PartialBlob blob) throws IOException {
    assembling.remove(blob.hash(), blob);
    blob.close();
  }

  /** Whether the file is here, complete. */
  public boolean has(String hash) {
    return Files.exists(path(hash));
  }

  /** Stores {@code data} and returns its hash. */
  public String put(InputStream data) throws IOException {
    return put(data, null, Long.MAX_VALUE);
  }

  /**
   * Stores {@code data} if it is at most {@code maxBytes} long and, when {@code expected} is
   * not null, hashes to it; otherwise nothing is kept and the error says why.
   */
  public String put(InputStream data, String expected, long maxBytes) throws IOException {
    Path tmp = Files.createTempFile(root.resolve("tmp"), "put", ".tmp");
    MessageDigest whole = sha256();
    List<String> chunks = new ArrayList<>();
    long size = 0;
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        byte[] buf = new byte[CHUNK];
        int n;
        while ((n = data.readNBytes(buf, 0, CHUNK)) > 0) {
          size += n;
          if (size > maxBytes) {
            throw new IOException("more than " + maxBytes + " bytes; refused");
          }
          out.write(buf, 0, n);
          whole.update(buf, 0, n);
          chunks.add(hex(sha256().digest(java.util.Arrays.copyOf(buf, n))));
        }
      }
      String hash = hex(whole.digest());
      if (expected != null && !expected.equals(hash)) {
        throw new IOException("data hashes to " + hash + ", not " + expected + "; refused");
      }
      install(tmp, hash, new Chunks(size, CHUNK, chunks));
      return hash;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Every complete blob's hash, sorted. */
  public List<String> hashes() throws IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(root.resolve("blobs"), 2)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> HASH.matcher(n).matches()).sorted().toList();
    }
  }

  /** Stores bytes and returns their hash. */
  public String put(byte[] data) throws IOException {
    return put(new java.io.ByteArrayInputStream(data));
  }

  /** The chunk list of a stored file. */
  public Chunks chunks(String hash) throws IOException {
    return JSON.readValue(chunkFile(hash).toFile(), Chunks.class);
  }

  /**
   * Moves a complete partial download into place after checking the whole file's hash; a file
   * whose hash differs is deleted and reported.
   */
  public void commitPartial(String hash, Chunks chunks) throws IOException {
    Path part = partial(hash);
    String actual = sha256(part);
    if (!actual.equals(hash)) {
      Files.delete(part);
      throw new IOException("downloaded data hashes to " + actual + ", not " + hash + "; discarded");
    }
    install(part, hash, chunks);
  }

  private void install(Path file, String hash, Chunks chunks) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Path target = path(hash);
    Files.createDirectories(target.getParent());
    Path chunkTmp = Files.createTempFile(root.resolve("tmp"), "chunks", ".tmp");
    JSON.writeValue(chunkTmp.toFile(), chunks);
    Files.move(chunkTmp, chunkFile(hash), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private Path chunkFile(String hash) {
    Path p = path(hash);
    return p.resolveSibling(hash + ".chunks");
  }

  /** The SHA-256 of a file's content, in lower-case hex (a symbolic link is not followed). */
  public static String sha256(Path file) throws IOException {
    MessageDigest d = sha256();
    try (InputStream in = Files.newInputStream(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        d.update(buf, 0, n);
      }
    }
    return hex(d.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
