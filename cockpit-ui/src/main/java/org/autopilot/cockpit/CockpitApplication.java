package org.autopilot.cockpit;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * Cockpit's entry point: {@code java -jar cockpit.jar --autopilot.dm.urls=... ...}, or
 * {@code java -jar cockpit.jar hash-password} to turn a password read from standard input into
 * the bcrypt hash the users file wants.
 */
@SpringBootApplication
@EnableConfigurationProperties(CockpitProperties.class)
public class CockpitApplication {
  /** Starts Cockpit, or hashes a password. */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("hash-password")) {
      String pw = System.console() != null
          ? new String(System.console().readPassword("password: "))
          : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (pw == null || pw.isEmpty()) {
        System.err.println("no password given");
        System.exit(2);
      }
      System.out.println(new BCryptPasswordEncoder().encode(pw));
      return;
    }
    SpringApplication.run(CockpitApplication.class, args);
  }
}
