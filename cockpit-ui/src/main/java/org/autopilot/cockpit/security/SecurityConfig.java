package org.autopilot.cockpit.security;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.autopilot.cockpit.CockpitProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Form login against the users file; roles viewer ⊂ operator ⊂ admin. Every page needs a login;
 * operator actions ({@code /actions/**}, confirmation pages included) need operator or admin,
 * so a viewer's POST is refused with 403 whatever the page showed. CSRF protection is on (the
 * default session token; every form carries it).
 */
@Configuration
@EnableWebSecurity
public class SecurityConfig {

  /** Users from {@code autopilot.users-file}. */
  @Bean
  UserDetailsService users(CockpitProperties props) throws IOException {
    List<UserDetails> out = new ArrayList<>();
    for (UsersFile.User u : UsersFile.load(props.usersFile())) {
      List<String> roles = new ArrayList<>();
      for (UsersFile.Role r : UsersFile.Role.values()) {
        if (r.ordinal() <= u.role().ordinal()) {
          roles.add(r.name());
        }
      }
      out.add(User.withUsername(u.name()).password(u.bcrypt()).roles(roles.toArray(String[]::new)).build());
    }
    return new InMemoryUserDetailsManager(out);
  }

  /** bcrypt only. */
  @Bean
  PasswordEncoder passwordEncoder() {
    return new BCryptPasswordEncoder();
  }

  /** Who may see and do what. */
  @Bean
  SecurityFilterChain filterChain(HttpSecurity http) throws Exception {
    http.authorizeHttpRequests(a -> a
            .requestMatchers("/login", "/denied", "/css/**", "/js/**", "/webjars/**", "/favicon.ico", "/error").permitAll()
            .requestMatchers("/actions/**").hasRole("OPERATOR")
            .requestMatchers(HttpMethod.POST, "/**").hasRole("OPERATOR")
            .anyRequest().hasRole("VIEWER"))
        .formLogin(f -> f.loginPage("/login").defaultSuccessUrl("/", false).permitAll())
        .logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login?logout").permitAll())
        .exceptionHandling(e -> e.accessDeniedPage("/denied"))
        .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'")));
    return http.build();
  }
}
