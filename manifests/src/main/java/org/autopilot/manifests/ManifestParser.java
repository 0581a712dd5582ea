package org.autopilot.manifests;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;

/**
 * Reads manifests strictly: unknown keys, duplicate keys, anchors and aliases, more than
 * {@link #MAX_BYTES} bytes, nesting deeper than 32 and every invalid value are refused with the
 * file, line, column and field. Thread-safe.
 */
public final class ManifestParser {
  /** Largest manifest document accepted. */
  public static final int MAX_BYTES = 1 << 20;
  private static final int MAX_DEPTH = 32;
  private static final ObjectMapper YAML = mapper();

  private ManifestParser() {}

  /** Reads the manifest in {@code file}. */
  public static Manifest parse(Path file) throws ManifestException {
    long size;
    try {
      size = Files.size(file);
      if (size > MAX_BYTES) {
        throw new ManifestException(file.toString(), 0, 0, "", "manifest is " + size
            + " bytes; at most " + MAX_BYTES + " are accepted");
      }
      return parse(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new ManifestException(file.toString(), 0, 0, "", "cannot read: " + e.getMessage());
    }
  }

  /** Reads a manifest from {@code yaml}; {@code file} names it in errors. */
  public static Manifest parse(byte[] yaml, String file) throws ManifestException {
    if (yaml.length > MAX_BYTES) {
      throw new ManifestException(file, 0, 0, "", "manifest is " + yaml.length
          + " bytes; at most " + MAX_BYTES + " are accepted");
    }
    java.util.Map<String, int[]> marks = scan(yaml, file);
    try {
      Manifest m = YAML.readValue(yaml, Manifest.class);
      if (m == null) {
        throw new ManifestException(file, 0, 0, "", "the document is empty");
      }
      return m;
    } catch (JsonMappingException e) {
      String field = e.getPath().isEmpty() ? "" : fieldPath(e);
      int[] at = marks.get(field);
      if (at != null) {
        throw new ManifestException(file, at[0], at[1], field, problem(e));
      }
      throw located(file, e, field, problem(e));
    } catch (JsonProcessingException e) {
      throw located(file, e, "", e.getOriginalMessage());
    } catch (IOException e) {
      throw new ManifestException(file, 0, 0, "", e.getMessage());
    }
  }

  /** The YAML text of {@code m} (what {@link #parse} reads back to an equal manifest). */
  public static String write(Manifest m) {
    try {
      return YAML.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Walks the YAML events (SnakeYAML's own tokenizer): refuses any anchor or alias and nesting
   * deeper than 32, and notes where every key and list item starts, by field path
   * ({@code files[1].sha256}), so errors found later point at the right line.
   */
  private static java.util.Map<String, int[]> scan(byte[] yaml, String file)
      throws ManifestException {
    LoaderOptions limits = new LoaderOptions();
    limits.setCodePointLimit(MAX_BYTES);
    java.util.Map<String, int[]> marks = new java.util.HashMap<>();
    java.util.Deque<Frame> stack = new java.util.ArrayDeque<>();
    try (java.io.Reader in = new java.io.InputStreamReader(
        new java.io.ByteArrayInputStream(yaml), java.nio.charset.StandardCharsets.UTF_8)) {
      int nodes = 0;
      for (Event e : new Yaml(limits).parse(in)) {
        boolean anchored = e instanceof NodeEvent n && n.getAnchor() != null;
        String problem = null;
        if (e instanceof AliasEvent || anchored) {
          problem = "YAML anchors and aliases (& and *) are not allowed in manifests";
        } else if (e instanceof CollectionStartEvent && stack.size() >= MAX_DEPTH) {
          problem = "nesting depth is more than " + MAX_DEPTH;
        }
        if (problem != null) {
          throw new ManifestException(file, e.getStartMark().getLine() + 1,
              e.getStartMark().getColumn() + 1, "", problem);
        }
        if (e instanceof NodeEvent) {
          nodes++;
          String path = place(stack, e, marks);
          if (e instanceof CollectionStartEvent) {
            stack.push(new Frame(e instanceof org.yaml.snakeyaml.events.MappingStartEvent, path));
          }
        } else if (e instanceof CollectionEndEvent) {
          stack.pop();
        }
      }
      if (nodes == 0) {
        throw new ManifestException(file, 0, 0, "", "the document is empty");
      }
    } catch (MarkedYAMLException e) {
      Mark at = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new ManifestException(file, at == null ? 0 : at.getLine() + 1,
          at == null ? 0 : at.getColumn() + 1, "", "not valid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw new ManifestException(file, 0, 0, "", "not valid YAML: " + e.getMessage());
    } catch (IOException e) {
      throw new ManifestException(file, 0, 0, "", e.getMessage());
    }
    return marks;
  }

  /** One open mapping or sequence during the walk. */
  private static final class Frame {
    final boolean mapping;
    final String path;
    int index;
    String key;

    Frame(boolean mapping, String path) {
      this.mapping = mapping;
      this.path = path;
    }
  }

  /** The field path of a node event; records where keys and items start. */
  private static String place(java.util.Deque<Frame> stack, Event e, java.util.Map<String, int[]> marks) {
    Frame parent = stack.peek();
    int[] at = {e.getStartMark().getLine() + 1, e.getStartMark().getColumn() + 1};
    if (parent == null) {
      return "";
    }
    if (parent.mapping) {
      if (parent.key == null) {
        String name = e instanceof org.yaml.snakeyaml.events.ScalarEvent sc ? sc.getValue() : "?";
        parent.key = parent.path.isEmpty() ? name : parent.path + "." + name;
        marks.putIfAbsent(parent.key, at);
        return parent.key;
      }
      String path = parent.key;
      parent.key = null;
      return path;
    }
    String path = parent.path + "[" + parent.index++ + "]";
    marks.putIfAbsent(path, at);
    return path;
  }

  private static ManifestException located(String file, JsonProcessingException e, String field,
      String problem) {
    JsonLocation at = e.getLocation();
    int line = at == null ? 0 : Math.max(0, at.getLineNr());
    int col = at == null ? 0 : Math.max(0, at.getColumnNr());
    return new ManifestException(file, line, col, field, problem);
  }

  private static String problem(JsonMappingException e) {
    if (e instanceof UnrecognizedPropertyException u) {
      return "unknown key '" + u.getPropertyName() + "'; known keys: " + u.getKnownPropertyIds();
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof IllegalArgumentException) {
      return root.getMessage();
    }
    return e.getOriginalMessage();
  }

  private static String fieldPath(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  private static ObjectMapper mapper() {
    LoaderOptions limits = new LoaderOptions();
    limits.setMaxAliasesForCollections(0);
    limits.setAllowDuplicateKeys(false);
    limits.setCodePointLimit(MAX_BYTES);
    return YAMLMapper.builder(YAMLFactory.builder()
            .loaderOptions(limits)
            .streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH).maxStringLength(64 * 1024).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        .serializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        .build();
  }
}
