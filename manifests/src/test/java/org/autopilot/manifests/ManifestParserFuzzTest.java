package org.autopilot.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of {@link ManifestParser}, the reader of manifests committed by
 * anyone with push access. In a normal build Jazzer runs only the seeds in
 * {@code src/test/resources/org/autopilot/manifests/ManifestParserFuzzTestInputs/parse/}
 * (regression mode); {@code ./autopilot fuzz manifests} fuzzes for real (docs/fuzzing.md).
 *
 * <p>Properties, for any bytes: only {@link ManifestException} escapes, its message naming the
 * file and a non-empty problem; an accepted manifest has apps, every path (file, source, app
 * directory) is relative and cannot leave its directory, every file lies inside exactly one
 * app's directory, and {@link ManifestParser#write} reads back to an equal manifest.
 */
class ManifestParserFuzzTest {
  private static final String FILE = "fuzz.yaml";

  @FuzzTest
  @DictionaryEntries({"name: ", "version: ", "machineType: ", "files:", "apps:", "rollout:",
      "  - path: ", "    sha256: ", "    size: ", "    mode: ", "    source: ", "directory: ",
      "start: ", "env: ", "stopTimeout: ", "health: ", "command: ", "interval: ", "timeout: ",
      "threshold: ", "bake: ", "../", "/etc/passwd", "&a ", "*a", "!!binary ", "{", "[",
      "0755", "9223372036854775807", ".nan", "1e400", "a",
      "0000000000000000000000000000000000000000000000000000000000000000"})
  void parse(byte[] yaml) {
    Manifest m;
    try {
      m = ManifestParser.parse(yaml, FILE);
    } catch (ManifestException e) {
      assertThat(e.getMessage()).startsWith(FILE);
      assertThat(e.problem()).isNotBlank();
      assertThat(e.line()).isNotNegative();
      return;
    }
    assertThat(m.apps()).isNotEmpty();
    for (AppSpec a : m.apps()) {
      assertContained(a.directory());
    }
    for (ManifestFile f : m.files()) {
      assertContained(f.path());
      if (f.source() != null) {
        assertContained(f.source());
      }
      assertThat(m.apps().stream().filter(a -> SafePath.within(f.path(), a.directory())))
          .as("apps holding %s", f.path()).hasSize(1);
      assertThat(f.size()).isBetween(0L, ManifestFile.MAX_SIZE);
      assertThat(f.modeBits()).isBetween(0, 0777);
    }
    try {
      assertThat(ManifestParser.parse(
          ManifestParser.write(m).getBytes(java.nio.charset.StandardCharsets.UTF_8), FILE))
          .isEqualTo(m);
    } catch (ManifestException e) {
      throw new AssertionError("an accepted manifest does not read back: " + e.getMessage(), e);
    }
  }

  /** Relative, no empty, '.' or '..' segment, no backslash or control character. */
  static void assertContained(String path) {
    assertThat(path).isNotEmpty().doesNotStartWith("/").doesNotContain("\\")
        .hasSizeLessThanOrEqualTo(SafePath.MAX_LENGTH);
    for (String segment : path.split("/", -1)) {
      assertThat(segment).as("a segment of %s", path).isNotEmpty().isNotEqualTo(".")
          .isNotEqualTo("..");
    }
    assertThat(path.chars().allMatch(c -> c >= 0x20 && c != 0x7f)).as("printable %s", path)
        .isTrue();
  }
}
