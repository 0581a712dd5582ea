package org.autopilot.cockpit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestBuilders.formLogin;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.authenticated;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.unauthenticated;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrlPattern;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.autopilot.cockpit.fleet.FleetMirror;
import org.autopilot.devicemanager.command.SilenceMachine;
import org.autopilot.devicemanager.command.SteerRollout;
import org.autopilot.devicemanager.model.MachineId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * Every page rendered by the real Spring application (security, controllers, templates) over a
 * mirror loaded from {@link FixtureFleet}, which also records the commands operators send.
 */
@SpringBootTest(properties = {"autopilot.users-file=src/test/resources/users.txt"})
@AutoConfigureMockMvc
class CockpitPagesTest {
  @TestConfiguration
  static class Fixture {
    @Bean
    FixtureFleet fixtureFleet() {
      return new FixtureFleet();
    }
  }

  @Autowired MockMvc mvc;
  @Autowired FixtureFleet fleet;
  @Autowired FleetMirror mirror;

  static final RequestPostProcessor VIEWER = user("vera").roles("VIEWER");
  static final RequestPostProcessor OPERATOR = user("otto").roles("VIEWER", "OPERATOR");

  @BeforeEach
  void load() {
    mirror.update(fleet.watch(0, java.time.Duration.ZERO));
    fleet.sent.clear();
  }

  String page(String url, RequestPostProcessor who) throws Exception {
    return mvc.perform(get(url).with(who)).andExpect(status().isOk())
        .andReturn().getResponse().getContentAsString();
  }

  @Test
  void anonymousVisitorsAreSentToTheLoginPage() throws Exception {
    mvc.perform(get("/machines")).andExpect(status().is3xxRedirection())
        .andExpect(redirectedUrlPattern("**/login"));
    assertThat(mvc.perform(get("/login")).andExpect(status().isOk()).andReturn().getResponse()
        .getContentAsString()).contains("name=\"_csrf\"", "id=\"password\"");
  }

  @Test
  void usersFromTheUsersFileLogInWithTheirPasswordOnly() throws Exception {
    mvc.perform(formLogin().user("otto").password("otto-pw")).andExpect(authenticated().withUsername("otto"));
    mvc.perform(formLogin().user("otto").password("wrong")).andExpect(unauthenticated());
    mvc.perform(formLogin().user("nobody").password("otto-pw")).andExpect(unauthenticated());
  }

  @Test
  void theOverviewCountsStatesHealthTypesUnitsBudgetsAndIncidents() throws Exception {
    String html = page("/", VIEWER);
    assertThat(html).contains("id=\"rev\">99<", "id=\"total\">6<", "id=\"tile-Healthy\"",
        "id=\"incidents-open\">1<", "unit:su-2", "type:web", "live.js", "by-type", "by-unit");
    assertThat(html).containsPattern("(?s)id=\"tile-Failure\".*?<span class=\"n\">1</span>");
    // type:web 25% of 4 web machines = 1; sim-02 (Probation) and sim-04, sim-05 out
    assertThat(html).containsPattern("(?s)type:web</td>\\s*<td>25%</td>\\s*<td class=\"num\">3 / 1 of 4</td>");
  }

  @Test
  void theMachinesTableSearchesFiltersAndPages() throws Exception {
    assertThat(page("/machines", VIEWER)).contains("id=\"match-count\">6<", "sim-01", "sim-06");
    String failed = page("/machines?state=Failure", VIEWER);
    assertThat(failed).contains("id=\"match-count\">1<", "sim-04", "held: budget unit:su-2");
    assertThat(failed).doesNotContain(">sim-01<");
    assertThat(page("/machines?q=I/O", VIEWER)).contains("id=\"match-count\">2<");
    assertThat(page("/machines?type=db&unit=su-2", VIEWER)).contains("id=\"match-count\">1<", "sim-06");
    mvc.perform(get("/machines?state=Bogus").with(VIEWER)).andExpect(status().isBadRequest());
  }

  @Test
  void aMachinePageShowsItsTimelineWithCausesRepairWatchdogsAndManifests() throws Exception {
    String html = page("/machines/sim-04", VIEWER);
    assertThat(html).contains("id=\"machine-state\"", "Failure", "disk I/O error on sda",
        "2nd failure within 24h", "budget unit:su-2 1/1 in repair or rollout",
        "Healthy → Failure", "repair-1", "confirmed: disk I/O error", "web@2",
        "Open incident #95", "machine-counters", "machine-logs");
    assertThat(page("/machines/sim-01", VIEWER)).contains("operator/alice", "looked at it");
    mvc.perform(get("/machines/sim-99").with(VIEWER)).andExpect(status().isNotFound());
  }

  @Test
  void theRolloutsPageShowsUnitsGatesBakesAndTheCommitBehindEachVersion() throws Exception {
    String html = page("/rollouts", OPERATOR);
    assertThat(html).contains("rollout-web", "web@2", "RUNNING", "su-1", "PASSED", "ACTIVATING",
        "2222222222222222222222222222222222222222", "web v2: faster", "gate 80%",
        "unit su-2 activating", "id=\"pause-web\"", "id=\"abort-web\"");
    assertThat(page("/rollouts", VIEWER)).doesNotContain("id=\"pause-web\"", "id=\"abort-web\"");
  }

  @Test
  void theRepairsPageShowsQueueWhyNotNowDecisionsAndIncidents() throws Exception {
    String html = page("/repairs", OPERATOR);
    assertThat(html).contains("id=\"queue\"", "sim-04", "budget unit:su-2 1/1 in repair or rollout",
        "Reboot held", "unit:su-2", "id=\"resolve-95\"");
    assertThat(page("/repairs", VIEWER)).doesNotContain("id=\"resolve-95\"");
  }

  @Test
  void theAuditAndCountersPagesRenderAndSayWhenCollectionIsMissing() throws Exception {
    assertThat(page("/audit?humans=true", VIEWER)).contains("operator/alice").doesNotContain("repair-1");
    assertThat(page("/counters", VIEWER)).contains("collection-missing", "ex-chart");
    assertThat(page("/api/collection/counters?machine=sim-01", VIEWER))
        .contains("\"problem\"", "collection not configured");
  }

  @Test
  void aViewerSeesNoActionsAndIsRefusedWhenActingAnyway() throws Exception {
    assertThat(page("/machines/sim-01", VIEWER)).doesNotContain("id=\"act-silence\"");
    mvc.perform(post("/actions/silence").with(VIEWER).with(csrf())
        .param("target", "sim-01").param("duration", "1h")).andExpect(status().isForbidden());
    mvc.perform(get("/actions/confirm?kind=silence&target=sim-01").with(VIEWER))
        .andExpect(status().isForbidden());
    assertThat(fleet.sent).isEmpty();
  }

  @Test
  void anOperatorActsAfterConfirmingAndTheCommandCarriesTheirName() throws Exception {
    assertThat(page("/machines/sim-01", OPERATOR)).contains("id=\"act-silence\"", "id=\"act-kick\"");
    String confirm = page("/actions/confirm?kind=silence&target=sim-01&back=/machines/sim-01", OPERATOR);
    assertThat(confirm).contains("Silence machine sim-01", "name=\"_csrf\"", "id=\"confirm\"");
    mvc.perform(post("/actions/silence").with(OPERATOR).with(csrf()).param("target", "sim-01")
            .param("duration", "4h").param("cause", "OPS-1").param("back", "/machines/sim-01"))
        .andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/machines/sim-01"));
    mvc.perform(post("/actions/pause").with(OPERATOR).with(csrf()).param("target", "web")
        .param("back", "https://evil.example/")).andExpect(redirectedUrl("/"));
    assertThat(fleet.sent).containsExactly(
        new FixtureFleet.Sent("otto", new SilenceMachine(MachineId.of("sim-01"), 4 * 3600_000L, "OPS-1")),
        new FixtureFleet.Sent("otto", new SteerRollout("web", SteerRollout.Action.PAUSE, "via Cockpit")));
  }

  @Test
  void aPostWithoutTheCsrfTokenIsRefused() throws Exception {
    mvc.perform(post("/actions/silence").with(OPERATOR).param("target", "sim-01"))
        .andExpect(status().isForbidden());
    mvc.perform(post("/actions/silence").with(OPERATOR).with(csrf().useInvalidToken())
        .param("target", "sim-01")).andExpect(status().isForbidden());
    assertThat(fleet.sent).isEmpty();
  }

  @Test
  void theChartLibraryIsServedFromItsWebjarWithoutTheInternet() throws Exception {
    assertThat(mvc.perform(get("/webjars/chart.js/dist/chart.umd.js").with(VIEWER))
        .andExpect(status().isOk()).andReturn().getResponse().getContentAsString()).contains("Chart");
    mvc.perform(get("/js/charts.js")).andExpect(status().isOk());
  }

  @Test
  void theLiveOverviewStreamIsServerSentEvents() throws Exception {
    var r = mvc.perform(get("/live/overview").with(VIEWER)).andExpect(status().isOk()).andReturn();
    assertThat(r.getRequest().isAsyncStarted()).isTrue();
  }
}
