package org.autopilot.devicemanager.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.core.Json;

/**
 * Reads the body of {@code POST /api/v1/commands}: one command object or an array of 1 to
 * {@link DmApi#MAX_COMMANDS} commands, each with its {@code type}. Anything else is refused
 * with an {@link ApiError} 400 saying what and where; no other exception escapes.
 */
final class CommandBody {
  private static final TypeReference<List<DmCommand>> COMMANDS = new TypeReference<>() {};

  private CommandBody() {}

  /**
   * A body as read.
   *
   * @param commands 1 to {@link DmApi#MAX_COMMANDS} commands, none null
   * @param single whether the body was one object rather than an array (answered in kind)
   */
  record Read(List<DmCommand> commands, boolean single) {}

  /** The commands in {@code body}; throws {@link ApiError} 400 naming the problem. */
  static Read read(byte[] body) {
    JsonNode tree;
    try {
      tree = Json.mapper().readTree(body);
    } catch (IOException e) {
      throw ApiError.badRequest("body is not JSON: " + jsonError(e));
    }
    if (tree == null || !(tree.isObject() || tree.isArray())) {
      throw ApiError.badRequest("body must be one command object or an array of commands");
    }
    boolean single = tree.isObject();
    List<DmCommand> commands;
    try {
      commands = single
          ? Collections.singletonList(Json.mapper().treeToValue(tree, DmCommand.class))
          : Json.mapper().convertValue(tree, COMMANDS);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      Throwable cause = e.getCause() instanceof JsonProcessingException j ? j : e;
      throw ApiError.badRequest("not a valid command: " + jsonError(cause));
    }
    if (commands.isEmpty() || commands.size() > DmApi.MAX_COMMANDS) {
      throw ApiError.badRequest("send 1 to " + DmApi.MAX_COMMANDS + " commands, not "
          + commands.size());
    }
    for (int i = 0; i < commands.size(); i++) {
      if (commands.get(i) == null) {
        throw ApiError.badRequest("command " + i + " is null");
      }
    }
    return new Read(commands, single);
  }

  /** What is wrong with a JSON body, and where. */
  static String jsonError(Throwable e) {
    if (e instanceof InvalidTypeIdException t) {
      return "unknown command type '" + t.getTypeId() + "'";
    }
    if (e instanceof JsonProcessingException j) {
      String where = j.getLocation() == null ? ""
          : " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr();
      String path = j instanceof JsonMappingException m
          && !m.getPath().isEmpty() ? " (field " + m.getPathReference() + ")" : "";
      return j.getOriginalMessage() + where + path;
    }
    return e.getMessage();
  }
}
