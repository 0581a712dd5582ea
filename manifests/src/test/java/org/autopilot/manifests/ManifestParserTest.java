package org.autopilot.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ManifestParserTest {
  static final String HASH = "a".repeat(64);
  static final String GOOD = """
      name: web
      version: "2"
      machineType: web
      files:
        - path: web/bin/server.sh
          sha256: %s
          size: 120
          mode: "0755"
          source: files/server.sh
        - path: web/conf/app.conf
          sha256: %s
          size: 10
      apps:
        - name: web
          directory: web
          start: bin/server.sh
          env: {PORT: "8080", B_FIRST: "x"}
          stopTimeout: 5s
          health: {command: "bin/check.sh", interval: 10s, timeout: 2s}
      rollout: {threshold: 90, bake: 2m}
      """.formatted(HASH, HASH);

  static Manifest parse(String yaml) throws ManifestException {
    return ManifestParser.parse(yaml.getBytes(StandardCharsets.UTF_8), "m.yaml");
  }

  static ManifestException fail(String yaml) {
    try {
      parse(yaml);
    } catch (ManifestException e) {
      return e;
    }
    throw new AssertionError("accepted:\n" + yaml);
  }

  @Test
  void readsAValidManifestAndWritesItBack() throws Exception {
    Manifest m = parse(GOOD);
    assertThat(m.ref()).isEqualTo(ManifestRef.parse("web@2"));
    assertThat(m.files()).hasSize(2);
    assertThat(m.files().get(0).executable()).isTrue();
    assertThat(m.files().get(1).mode()).isEqualTo("0644");
    assertThat(m.apps().get(0).env().keySet()).containsExactly("B_FIRST", "PORT");
    assertThat(m.apps().get(0).stopGrace()).hasSeconds(5);
    assertThat(m.filesOf(m.apps().get(0))).hasSize(2);
    assertThat(m.rollout().threshold()).isEqualTo(90);
    assertThat(parse(ManifestParser.write(m))).isEqualTo(m);
  }

  @Test
  void unknownKeyIsNamedWithLineAndColumn() {
    ManifestException e = fail(GOOD.replace("    size: 10\n", "    size: 10\n    owner: root\n"));
    assertThat(e.problem()).contains("unknown key 'owner'");
    assertThat(e.line()).isEqualTo(13);
    assertThat(e.field()).isEqualTo("files[1].owner");
    assertThat(e.getMessage()).startsWith("m.yaml:13:5");
  }

  @Test
  void duplicateKeyIsRefused() {
    ManifestException e = fail(GOOD.replaceFirst("name: web\n", "name: web\nname: api\n"));
    assertThat(e.problem()).containsIgnoringCase("duplicate");
    assertThat(e.line()).isEqualTo(2);
  }

  @Test
  void badHashIsRefusedWithTheFileItBelongsTo() {
    ManifestException e = fail(GOOD.replaceFirst(HASH, "abc"));
    assertThat(e.problem()).contains("sha256 of web/bin/server.sh must be 64 lower-case hex digits");
    assertThat(e.field()).isEqualTo("files[0]");
    assertThat(e.line()).isGreaterThan(0);
  }

  @Test
  void pathsEscapingTheAppDirectoryAreRefused() {
    assertThat(fail(GOOD.replace("web/conf/app.conf", "web/../../etc/passwd")).problem())
        .contains("'..' segment");
    assertThat(fail(GOOD.replace("web/conf/app.conf", "/etc/passwd")).problem())
        .contains("is absolute");
    assertThat(fail(GOOD.replace("web/conf/app.conf", "web\\\\..\\\\x")).problem())
        .contains("backslash");
    assertThat(fail(GOOD.replace("web/conf/app.conf", "other/app.conf")).problem())
        .contains("is not inside any app directory");
    assertThat(fail(GOOD.replace("directory: web", "directory: ../web")).problem())
        .contains("'..' segment");
  }

  @Test
  void aliasBombIsRefusedBeforeExpansion() {
    StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (int i = 0; i < 8; i++) {
      char p = (char) ('a' + i);
      char n = (char) ('b' + i);
      bomb.append(n).append(": &").append(n).append(" [*").append(p);
      bomb.append((",*" + p).repeat(8)).append("]\n");
    }
    ManifestException e = fail(bomb.toString());
    assertThat(e.problem()).contains("anchors and aliases");
    assertThat(e.line()).isEqualTo(1);
  }

  @Test
  void oversizedAndDeeplyNestedDocumentsAreRefused() {
    String big = GOOD + "#" + "x".repeat(ManifestParser.MAX_BYTES) + "\n";
    assertThat(fail(big).problem()).contains("at most " + ManifestParser.MAX_BYTES);
    String deep = "name: " + "[".repeat(100) + "]".repeat(100) + "\n";
    assertThat(fail(deep).problem()).containsIgnoringCase("depth");
  }

  @Test
  void structuralMistakesAreNamed() {
    assertThat(fail("").problem()).contains("empty");
    assertThat(fail("name: web\nversion: 1\napps: []\n").problem()).contains("has no apps");
    assertThat(fail(GOOD.replace("size: 10", "size: -1")).problem()).contains("size of");
    assertThat(fail(GOOD.replace("size: 10", "size: ten")).field()).isEqualTo("files[1].size");
    assertThat(fail(GOOD.replace("stopTimeout: 5s", "stopTimeout: soon")).problem())
        .contains("stopTimeout of app web 'soon' is not a duration");
    assertThat(fail(GOOD.replace("- path: web/conf/app.conf", "- path: web/bin/server.sh")).problem())
        .contains("appears twice");
    assertThat(fail(GOOD.replaceFirst("name: web\n", "name: Web!\n")).problem()).contains("must match");
    assertThat(fail("- just\n- a list\n").problem()).isNotBlank();
    assertThat(fail("name: [unclosed\n").line()).isGreaterThan(0);
  }

  @Test
  void refsRoundTripAndRejectGarbage() {
    assertThat(ManifestRef.parse("web@2026.11.22-1").version()).isEqualTo("2026.11.22-1");
    assertThatThrownBy(() -> ManifestRef.parse("web")).hasMessageContaining("name@version");
    assertThatThrownBy(() -> ManifestRef.parse("web@../x")).hasMessageContaining("version");
  }
}
