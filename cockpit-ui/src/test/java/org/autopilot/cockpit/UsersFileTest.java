package org.autopilot.cockpit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.autopilot.cockpit.security.UsersFile;
import org.junit.jupiter.api.Test;

/** The users file: strict, errors name the line. */
class UsersFileTest {
  static final String HASH = "$2a$10$5XJFUE38cWINFSqC2uHItONh8mMBEOzHSAgNyCkGxberPhuvYT9dG";

  @Test
  void readsNamesRolesAndHashesSkippingCommentsAndBlankLines() {
    var users = UsersFile.parse(List.of("# users", "", "alice operator " + HASH + "  # on call",
        "bob\tviewer\t" + HASH), "users.txt");
    assertThat(users).extracting(UsersFile.User::name).containsExactly("alice", "bob");
    assertThat(users).extracting(UsersFile.User::role)
        .containsExactly(UsersFile.Role.OPERATOR, UsersFile.Role.VIEWER);
  }

  @Test
  void refusesWhatItCannotTrustNamingTheLine() {
    assertThatThrownBy(() -> UsersFile.parse(List.of("alice operator secret"), "u"))
        .hasMessageContaining("u:1:").hasMessageContaining("not a bcrypt hash");
    assertThatThrownBy(() -> UsersFile.parse(List.of("x viewer " + HASH, "Alice viewer " + HASH), "u"))
        .hasMessageContaining("u:2:").hasMessageContaining("user name 'Alice'");
    assertThatThrownBy(() -> UsersFile.parse(List.of("alice root " + HASH), "u"))
        .hasMessageContaining("role 'root'");
    assertThatThrownBy(() -> UsersFile.parse(List.of("a viewer " + HASH, "a admin " + HASH), "u"))
        .hasMessageContaining("appears twice");
    assertThatThrownBy(() -> UsersFile.parse(List.of("# nobody"), "u")).hasMessageContaining("no users");
  }
}
