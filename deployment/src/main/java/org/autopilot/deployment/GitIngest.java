package org.autopilot.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.RecordIngest;
import org.autopilot.devicemanager.command.RegisterManifest;
import org.autopilot.devicemanager.command.StartRollout;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.model.ManifestVersion;
import org.autopilot.manifests.Manifest;
import org.autopilot.manifests.ManifestException;
import org.autopilot.manifests.ManifestFile;
import org.autopilot.manifests.ManifestParser;
import org.autopilot.manifests.ManifestRef;
import org.autopilot.manifests.SafePath;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests manifests from a git repository and branch (JGit: a local path or any URL JGit can
 * read). Each poll fetches into a bare mirror and walks the first-parent history from the last
 * commit the DM recorded for this source. For every new commit: parse every manifest added or
 * changed since the last accepted commit (from the commit's tree, never a work tree), check every file's {@code source} in the
 * same tree against its size and SHA-256, and refuse a version the DM already holds with other
 * content. Any problem rejects the commit as a whole ({@code RecordIngest} with the errors);
 * nothing of it reaches the fleet. Otherwise upload the files, register the versions with the
 * commit as their origin, record the commit and roll out each type's newest version (as soon as
 * the type's open rollout, if any, has ended).
 */
public final class GitIngest {
  private static final Logger LOG = LoggerFactory.getLogger(GitIngest.class);
  /** Most commits handled in one poll; the rest wait for the next. */
  public static final int MAX_COMMITS_PER_POLL = 100;
  private final String url;
  private final String branch;
  private final String prefix;
  private final Path mirror;
  private final DeploymentClient deployment;
  private final DmClient dm;
  /** The newest ingested version of each machine type, until its rollout has started. */
  private final Map<String, Wanted> wanted = new LinkedHashMap<>();

  private record Wanted(ManifestRef ref, String cause) {}

  /**
   * An ingest of {@code branch} of {@code url}, reading manifests ({@code *.yaml}, {@code *.yml})
   * under {@code prefix} (empty: the whole tree), mirroring into {@code mirror}.
   */
  public GitIngest(String url, String branch, String prefix, Path mirror,
      DeploymentClient deployment, DmClient dm) {
    this.url = url;
    this.branch = branch;
    this.prefix = prefix == null || prefix.isEmpty() ? "" : SafePath.check(prefix, "prefix") + "/";
    this.mirror = mirror;
    this.deployment = deployment;
    this.dm = dm;
  }

  /** The source's name in the DM: {@code branch@url}. */
  public String source() {
    return branch + "@" + url;
  }

  /** What one poll did. */
  public record Outcome(List<String> accepted, List<String> rejected) {}

  /** Fetches and ingests every new commit (at most {@link #MAX_COMMITS_PER_POLL}). */
  public Outcome pollOnce() throws IOException, GitAPIException, InterruptedException {
    List<String> accepted = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    try (Git git = open()) {
      git.fetch().setRemote(url).setRefSpecs(new RefSpec("+refs/heads/" + branch + ":refs/heads/" + branch))
          .call();
      Repository repo = git.getRepository();
      ObjectId head = repo.resolve("refs/heads/" + branch);
      if (head == null) {
        throw new IOException(source() + ": no branch " + branch);
      }
      String[] status = lastCommits();
      String base = status[1];
      for (RevCommit c : newCommits(repo, head, status[0])) {
        if (ingest(repo, c, base)) {
          accepted.add(c.getName());
          base = c.getName();
        } else {
          rejected.add(c.getName());
        }
      }
    }
    startRollouts();
    return new Outcome(accepted, rejected);
  }

  /**
   * Starts the rollout of each type's newest ingested version once no other rollout of the type
   * is open; a version is rolled out once (a rolled-back version is not retried by itself).
   */
  private void startRollouts() {
    Map<String, JsonNode> rollouts = new LinkedHashMap<>();
    dm.getJson("rollouts").get("items").forEach(r -> rollouts.put(r.get("machineType").asText(), r));
    for (var it = wanted.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      JsonNode r = rollouts.get(e.getKey());
      if (r != null && e.getValue().ref().toString().equals(r.get("to").asText())) {
        it.remove();
        continue;
      }
      String status = r == null ? "" : r.get("status").asText();
      if (status.equals("RUNNING") || status.equals("PAUSED")) {
        LOG.info("{}: {} waits for the open rollout of {}", source(), e.getValue().ref(), r.get("to").asText());
        continue;
      }
      CommandResult res = dm.send(new StartRollout(e.getValue().ref(), e.getValue().cause()));
      if (!res.accepted()) {
        LOG.info("{}: no rollout of {}: {}", source(), e.getValue().ref(), res.reason());
      }
      it.remove();
    }
  }

  private Git open() throws IOException, GitAPIException {
    if (Files.isDirectory(mirror.resolve("objects"))) {
      return Git.open(mirror.toFile());
    }
    Files.createDirectories(mirror);
    return Git.init().setBare(true).setDirectory(mirror.toFile()).call();
  }

  /** The last commit handled and the last accepted one (the base of the next diff), or nulls. */
  private String[] lastCommits() {
    for (JsonNode s : dm.getJson("ingests").get("items")) {
      if (source().equals(s.get("source").asText())) {
        JsonNode acc = s.get("acceptedCommit");
        return new String[] {s.get("lastCommit").asText(), acc == null || acc.isNull() ? null : acc.asText()};
      }
    }
    return new String[] {null, null};
  }

  /** First-parent commits after {@code last} up to {@code head}, oldest first; just head at first. */
  private List<RevCommit> newCommits(Repository repo, ObjectId head, String last) throws IOException {
    List<RevCommit> out = new ArrayList<>();
    try (RevWalk walk = new RevWalk(repo)) {
      RevCommit c = walk.parseCommit(head);
      if (last == null) {
        return List.of(c);
      }
      while (c != null && !c.getName().equals(last) && out.size() < 10_000) {
        out.add(c);
        c = c.getParentCount() == 0 ? null : walk.parseCommit(c.getParent(0));
      }
      if (c == null) {
        LOG.warn("{}: last ingested commit {} is not on {}; ingesting only its head", source(), last, branch);
        return List.of(out.get(0));
      }
    }
    Collections.reverse(out);
    return out.size() > MAX_COMMITS_PER_POLL ? out.subList(0, MAX_COMMITS_PER_POLL) : out;
  }

  /**
   * One commit, all or nothing: every manifest added or changed since {@code base} (the last
   * accepted commit; null = the whole tree), so what a rejected commit brought is ingested
   * with the commit that fixes it.
   */
  private boolean ingest(Repository repo, RevCommit c, String base)
      throws IOException, InterruptedException {
    String shortId = c.getName().substring(0, 12);
    Map<String, Manifest> manifests = new LinkedHashMap<>();
    Map<String, Path> staged = new LinkedHashMap<>();
    try {
      return ingest(repo, c, base, shortId, manifests, staged);
    } finally {
      for (Path p : staged.values()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private boolean ingest(Repository repo, RevCommit c, String base, String shortId,
      Map<String, Manifest> manifests, Map<String, Path> staged)
      throws IOException, InterruptedException {
    List<String> errors = new ArrayList<>();
    for (String path : changedManifests(repo, c, base)) {
      try {
        Manifest m = ManifestParser.parse(read(repo, c, path, ManifestParser.MAX_BYTES),
            path + "@" + shortId);
        errors.addAll(checkSources(repo, c, path, m, staged));
        Optional<ManifestVersion> known = dm.manifest(m.ref());
        if (known.isPresent() && !known.get().manifest().equals(m)) {
          errors.add(path + ": " + m.ref() + " is already registered with other content; "
              + "versions are immutable, give this one a new version");
        }
        manifests.put(path, m);
      } catch (ManifestException e) {
        errors.add(e.getMessage());
      }
    }
    String subject = c.getShortMessage();
    if (!errors.isEmpty()) {
      LOG.warn("{}: commit {} rejected: {}", source(), shortId, errors);
      send(new RecordIngest(source(), c.getName(), false, null,
          errors.stream().limit(100).map(e -> e.length() > 1000 ? e.substring(0, 1000) : e).toList(),
          "rejected: " + subject));
      return false;
    }
    List<ManifestRef> refs = new ArrayList<>();
    for (Map.Entry<String, Path> e : staged.entrySet()) {
      deployment.upload(e.getKey().substring(0, 64), e.getValue());
    }
    for (Map.Entry<String, Manifest> e : manifests.entrySet()) {
      ManifestVersion.Origin origin = new ManifestVersion.Origin(c.getName(),
          c.getAuthorIdent().getName() + " <" + c.getAuthorIdent().getEmailAddress() + ">",
          c.getFullMessage().length() > 4096 ? c.getFullMessage().substring(0, 4096) : c.getFullMessage(),
          e.getKey());
      send(new RegisterManifest(e.getValue(), origin, "commit " + shortId + ": " + subject));
      refs.add(e.getValue().ref());
    }
    send(new RecordIngest(source(), c.getName(), true, refs, null, "commit " + shortId + ": " + subject));
    for (Map.Entry<String, Manifest> e : manifests.entrySet()) {
      if (e.getValue().machineType() != null) {
        wanted.put(e.getValue().machineType(), new Wanted(e.getValue().ref(),
            "commit " + shortId + ": " + subject));
      }
    }
    LOG.info("{}: commit {} ingested: {}", source(), shortId, refs);
    return true;
  }

  private List<String> changedManifests(Repository repo, RevCommit c, String base)
      throws IOException {
    List<String> out = new ArrayList<>();
    ObjectId baseId = base == null ? null : repo.resolve(base);
    if (baseId == null) {
      try (TreeWalk tw = new TreeWalk(repo)) {
        tw.addTree(c.getTree());
        tw.setRecursive(true);
        while (tw.next()) {
          if (isManifest(tw.getPathString())) {
            out.add(tw.getPathString());
          }
        }
      }
      return out;
    }
    try (RevWalk walk = new RevWalk(repo); var reader = repo.newObjectReader();
        Git git = new Git(repo)) {
      RevCommit parent = walk.parseCommit(baseId);
      CanonicalTreeParser a = new CanonicalTreeParser(null, reader, parent.getTree());
      CanonicalTreeParser b = new CanonicalTreeParser(null, reader, c.getTree());
      for (DiffEntry d : git.diff().setOldTree(a).setNewTree(b).call()) {
        if (d.getChangeType() != DiffEntry.ChangeType.DELETE && isManifest(d.getNewPath())) {
          out.add(d.getNewPath());
        }
      }
    } catch (GitAPIException e) {
      throw new IOException(e);
    }
    return out;
  }

  private boolean isManifest(String path) {
    return path.startsWith(prefix) && (path.endsWith(".yaml") || path.endsWith(".yml"));
  }

  /**
   * Copies each file's source out of the commit into a temporary file (kept in {@code staged}
   * for the upload) and checks its size and SHA-256; a file without a source must already be
   * on the deployment servers.
   */
  private List<String> checkSources(Repository repo, RevCommit c, String manifestPath, Manifest m,
      Map<String, Path> staged) throws IOException {
    List<String> errors = new ArrayList<>();
    for (ManifestFile f : m.files()) {
      if (f.source() == null) {
        if (!deployment.has(f.sha256())) {
          errors.add(manifestPath + ": " + f.path() + " has no source and no deployment server holds "
              + f.sha256());
        }
        continue;
      }
      String src = sourcePath(manifestPath, f.source());
      Path tmp = Files.createTempFile("autopilot-ingest", ".blob");
      staged.put(f.sha256() + " " + tmp, tmp);
      try (TreeWalk tw = TreeWalk.forPath(repo, src, c.getTree())) {
        if (tw == null) {
          errors.add(manifestPath + ": " + f.path() + ": source " + f.source() + " is not in the commit");
          continue;
        }
        ObjectLoader blob = repo.open(tw.getObjectId(0));
        if (blob.getSize() != f.size()) {
          errors.add(manifestPath + ": " + f.path() + ": source " + f.source() + " has "
              + blob.getSize() + " bytes; the manifest says " + f.size());
          continue;
        }
        MessageDigest d = sha256();
        try (var in = blob.openStream(); var out = Files.newOutputStream(tmp)) {
          byte[] buf = new byte[1 << 16];
          int n;
          while ((n = in.read(buf)) > 0) {
            d.update(buf, 0, n);
            out.write(buf, 0, n);
          }
        }
        String hash = HexFormat.of().formatHex(d.digest());
        if (!hash.equals(f.sha256())) {
          errors.add(manifestPath + ": " + f.path() + ": source " + f.source() + " hashes to "
              + hash + "; the manifest says " + f.sha256());
        }
      }
    }
    return errors;
  }

  private static String sourcePath(String manifestPath, String source) {
    int slash = manifestPath.lastIndexOf('/');
    return slash < 0 ? source : manifestPath.substring(0, slash + 1) + source;
  }

  private static byte[] read(Repository repo, RevCommit c, String path, long max)
      throws IOException, ManifestException {
    try (TreeWalk tw = TreeWalk.forPath(repo, path, c.getTree())) {
      if (tw == null) {
        throw new ManifestException(path, 0, 0, "", "is not in commit " + c.getName().substring(0, 12));
      }
      ObjectLoader blob = repo.open(tw.getObjectId(0));
      if (blob.getSize() > max) {
        throw new ManifestException(path, 0, 0, "", "is " + blob.getSize() + " bytes; at most " + max);
      }
      return blob.getBytes();
    }
  }

  private void send(org.autopilot.devicemanager.command.DmCommand cmd) {
    CommandResult r = dm.send(cmd);
    if (!r.accepted()) {
      throw new IllegalStateException(cmd.getClass().getSimpleName() + " refused: " + r.reason());
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
