package org.autopilot.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The published JSON Schema agrees with the parser on the examples and on typical mistakes. */
class ManifestSchemaTest {
  static final ObjectMapper YAML = new YAMLMapper();
  final JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
      .getSchema(ManifestSchemaTest.class.getResourceAsStream("/manifest.schema.json"));

  @Test
  void theExamplesAndTheParsersOwnOutputConform() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("examples"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        assertThat(schema.validate(YAML.readTree(f.toFile()))).as(f.toString()).isEmpty();
        String written = ManifestParser.write(ManifestParser.parse(f));
        assertThat(schema.validate(YAML.readTree(written))).as("written " + f).isEmpty();
      }
    }
  }

  @Test
  void whatTheParserRefusesTheSchemaRefusesToo() throws Exception {
    String good = ManifestParserTest.GOOD;
    for (String bad : List.of(
        good.replace("    size: 10\n", "    size: 10\n    owner: root\n"),
        good.replaceFirst(ManifestParserTest.HASH, "abc"),
        good.replace("web/conf/app.conf", "web/../../etc/passwd"),
        good.replace("web/conf/app.conf", "/etc/passwd"),
        good.replace("web/conf/app.conf", "web//app.conf"),
        good.replace("stopTimeout: 5s", "stopTimeout: soon"),
        good.replace("mode: \"0755\"", "mode: \"999\""),
        good.replaceFirst("name: web\n", "name: Web!\n"))) {
      JsonNode doc = YAML.readTree(bad);
      assertThat(schema.validate(doc)).as(bad).isNotEmpty();
      assertThat(ManifestParserTest.fail(bad)).isNotNull();
    }
  }
}
