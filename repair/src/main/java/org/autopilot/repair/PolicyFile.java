package org.autopilot.repair;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * A health policy as a YAML file, for operators ({@code autopilot repair policy set FILE}): the
 * keys of {@link HealthPolicy}, all optional. Unknown keys and invalid values are refused with
 * the file, line and key.
 */
public final class PolicyFile {
  private static final ObjectMapper YAML;

  static {
    LoaderOptions limits = new LoaderOptions();
    limits.setMaxAliasesForCollections(0);
    limits.setCodePointLimit(1 << 20);
    YAML = YAMLMapper.builder(YAMLFactory.builder().loaderOptions(limits).build())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .build();
  }

  private PolicyFile() {}

  /** Reads a policy; an empty file is the built-in policy. */
  public static HealthPolicy read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      return HealthPolicy.DEFAULT;
    }
    try {
      HealthPolicy p = YAML.readValue(bytes, HealthPolicy.class);
      return p == null ? HealthPolicy.DEFAULT : p;
    } catch (JsonMappingException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      StringBuilder key = new StringBuilder();
      for (JsonMappingException.Reference r : e.getPath()) {
        if (r.getFieldName() != null) {
          key.append(key.length() == 0 ? "" : ".").append(r.getFieldName());
        } else if (r.getIndex() >= 0) {
          key.append('[').append(r.getIndex()).append(']');
        }
      }
      String what;
      String where = "";
      if (root instanceof IllegalArgumentException) {
        what = root.getMessage();
      } else if (e instanceof UnrecognizedPropertyException u) {
        what = "unknown key '" + u.getPropertyName() + "'";
      } else {
        what = e.getOriginalMessage();
      }
      if (!(root instanceof IllegalArgumentException) && e.getLocation() != null) {
        where = ":" + e.getLocation().getLineNr();
      }
      throw new IOException(file + where + (key.length() == 0 ? "" : " (" + key + ")") + ": " + what, e);
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** The YAML form of {@code policy}, every default spelled out. */
  public static String write(HealthPolicy policy) {
    try {
      return YAML.writeValueAsString(policy);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
