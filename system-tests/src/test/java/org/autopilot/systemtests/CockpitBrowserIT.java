package org.autopilot.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Cockpit in headless Chromium against a running system with a simulated fleet: log in, see
 * every page with the fleet's real data, watch the overview change by itself (server-sent
 * events), silence a machine with a confirmation and find the operator named in the DM's audit
 * trail, and see a viewer refused. Screenshots go to {@code target/screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CockpitBrowserIT {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Duration WAIT = Duration.ofSeconds(30);

  RunningSystem system;
  WebDriver browser;
  WebDriverWait wait;
  Path screenshots;

  @BeforeAll
  void start() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "needs /usr/bin/chromium and /usr/bin/chromedriver (Debian: apt-get install -y chromium chromium-driver)");
    screenshots = Path.of(System.getProperty("screenshots", "target/screenshots"));
    Files.createDirectories(screenshots);
    Path work = Path.of(System.getProperty("work", "target/system-test-data"));
    system = new RunningSystem(work).start(6);
    Path profile = Files.createTempDirectory(work, "chromium-profile-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--window-size=1400,1000",
        "--user-data-dir=" + profile.toAbsolutePath());
    // The driver is given explicitly: Selenium Manager never looks for (or downloads) one.
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
        .withLogFile(work.resolve("chromedriver.log").toFile()).build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
    wait = new WebDriverWait(browser, WAIT);
    // the overview's live region is replaced whenever the fleet changes
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (system != null) {
      system.close();
    }
  }

  void open(String path) {
    browser.get(system.cockpit() + path);
  }

  /** The visible text of element {@code id}, waiting for it (and reading again if it is replaced meanwhile). */
  String text(String id) {
    return wait.until(d -> {
      WebElement e = d.findElement(By.id(id));
      return e.isDisplayed() ? e.getText() : null;
    });
  }

  void shot(String name) throws Exception {
    File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(f.toPath(), screenshots.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** Datasets of the Chart.js chart on the first canvas matching {@code css}, 0 if none. */
  long chartDatasets(String css) {
    Object n = ((JavascriptExecutor) browser).executeScript("var c = document.querySelector(arguments[0]);"
        + "var ch = c && window.Chart && Chart.getChart(c); return ch ? ch.data.datasets.length : 0;", css);
    return ((Number) n).longValue();
  }

  /** Points of the first dataset of that chart, 0 if none. */
  long chartPoints(String css) {
    Object n = ((JavascriptExecutor) browser).executeScript("var c = document.querySelector(arguments[0]);"
        + "var ch = c && window.Chart && Chart.getChart(c);"
        + "return ch && ch.data.datasets.length ? ch.data.datasets[0].data.length : 0;", css);
    return ((Number) n).longValue();
  }

  void login(String user, String password) {
    browser.manage().deleteAllCookies();
    open("/login");
    browser.findElement(By.id("username")).sendKeys(user);
    browser.findElement(By.id("password")).sendKeys(password);
    browser.findElement(By.id("login")).click();
    wait.until(ExpectedConditions.textToBe(By.id("user"), user));
  }

  @Test
  @Order(1)
  void anOperatorLogsInAndTheOverviewShowsTheFleetAndChangesByItself() throws Exception {
    open("/machines");
    wait.until(ExpectedConditions.urlContains("/login"));
    shot("01-login");
    login("otto", "otto-pw");
    open("/");
    wait.until(ExpectedConditions.textToBe(By.id("total"), "6"));
    assertThat(text("role")).isEqualTo("operator");
    JsonNode machines = system.dmGet("/machines?limit=100");
    for (JsonNode m : machines.get("items")) {
      assertThat(text("by-type")).contains(m.get("machineType").asText());
      assertThat(text("by-unit")).contains(m.get("scaleUnit").asText());
    }
    for (JsonNode b : system.dmGet("/budgets").get("items")) {
      assertThat(text("budgets")).contains(b.get("scope").asText() + " " + b.get("limit").asText());
    }
    wait.until(ExpectedConditions.attributeContains(By.id("live-state"), "class", "on"));
    shot("02-overview");

    // live: a change in the DM reaches the open page without a reload
    ((JavascriptExecutor) browser).executeScript("window.__notReloaded = true;");
    long before = Long.parseLong(text("rev"));
    assertThat(system.dmCommand("{\"type\":\"SilenceMachine\",\"machine\":\"sim-06\","
        + "\"durationMillis\":60000,\"cause\":\"system test: live overview\"}")).isEqualTo(200);
    wait.until(d -> Long.parseLong(d.findElement(By.id("rev")).getText()) > before);
    assertThat(((JavascriptExecutor) browser).executeScript("return window.__notReloaded === true;"))
        .isEqualTo(true);
  }

  @Test
  @Order(2)
  void theMachinesTableSearchesAndFilters() throws Exception {
    open("/machines");
    assertThat(text("match-count")).isEqualTo("6");
    WebElement q = browser.findElement(By.id("q"));
    q.sendKeys("sim-03");
    browser.findElement(By.id("search")).click();
    wait.until(ExpectedConditions.textToBe(By.id("match-count"), "1"));
    assertThat(text("machines")).contains("sim-03").doesNotContain("sim-04");
    open("/machines");
    new Select(browser.findElement(By.id("type"))).selectByVisibleText("db");
    browser.findElement(By.id("search")).click();
    wait.until(ExpectedConditions.textToBe(By.id("match-count"),
        Integer.toString(system.dmCount("machineType=db"))));
    assertThat(text("machines")).doesNotContain("web@");
    shot("03-machines-db");
  }

  @Test
  @Order(3)
  void aMachinePageShowsItsLifeWithCauses() throws Exception {
    open("/machines/sim-01");
    assertThat(text("machine-id")).isEqualTo("sim-01");
    String timeline = text("timeline");
    assertThat(timeline).contains("StateChanged", "New → Provisioning", "BurnIn → Healthy",
        "registered at 127.0.0.1:");
    // each state change says who and why, as the DM recorded it
    JsonNode events = system.dmGet("/events?machine=sim-01&limit=10000");
    for (JsonNode e : events.get("items")) {
      if (e.get("type").asText().equals("StateChanged")) {
        assertThat(text("state-changes")).contains(e.get("actor").asText(), e.get("cause").asText());
      }
    }
    assertThat(text("state-changes")).contains("Provisioning → BurnIn");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("watchdogs"), "disk"));
    // counters and logs from the collection service: one chart per counter, the recent lines
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#machine-counters canvas"), 2));
    wait.until(d -> chartPoints("#machine-counters canvas") == 60);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("machine-logs"), "slow request 812 ms"));
    shot("04-machine");
  }

  @Test
  @Order(4)
  void rolloutsRepairsCountersAndAuditPagesShowTheSystemsState() throws Exception {
    open("/rollouts");
    // the demo ingests web v1 and db v1 from its git repository and rolls them out
    wait.until(d -> {
      d.navigate().refresh();
      return !d.findElements(By.id("rollout-web")).isEmpty();
    });
    assertThat(text("rollout-web")).contains("web@1", "threshold", "is commit");
    assertThat(text("versions")).contains("web@1", "db@1");
    shot("05-rollouts");
    open("/repairs");
    assertThat(text("queue")).contains("why not now");
    assertThat(text("decision-log")).contains("decision");
    shot("06-repairs");
    open("/counters");
    browser.findElement(By.id("ex-machines")).sendKeys("sim-01, sim-02");
    browser.findElement(By.id("ex-counter")).sendKeys("rps");
    browser.findElement(By.id("ex-draw")).click();
    wait.until(d -> chartDatasets("#ex-chart") == 2);
    shot("07-counters");
    open("/audit");
    assertThat(text("audit")).contains("WatchdogsReported");
    open("/audit?actor=watchdog");
    assertThat(text("audit")).contains("WatchdogsReported");
    assertThat(browser.findElements(By.cssSelector("td.actor")).stream().map(WebElement::getText).toList())
        .as("the watchdog service reports under its own service's name").isNotEmpty()
        .allMatch("watchdog"::equals);
    open("/audit?q=live%20overview");
    assertThat(text("audit")).contains("admin", "sim-06", "silenced until", "system test: live overview");
    shot("08-audit");
  }

  @Test
  @Order(5)
  void anOperatorSilencesAMachineAfterConfirmingAndTheDmNamesThem() throws Exception {
    open("/machines/sim-02");
    browser.findElement(By.id("act-silence")).click();
    assertThat(text("confirm-text")).contains("Silence machine sim-02");
    new Select(browser.findElement(By.id("duration"))).selectByValue("4h");
    browser.findElement(By.id("cause")).sendKeys("system test OPS-7");
    shot("09-confirm");
    browser.findElement(By.id("confirm")).click();
    assertThat(text("flash-ok")).contains("Silence machine sim-02: done");
    assertThat(text("machine-silenced")).contains("silenced until");
    assertThat(text("timeline")).contains("operator/otto", "system test OPS-7");
    shot("10-silenced");

    JsonNode events = system.dmGet("/events?machine=sim-02&limit=10000");
    assertThat(events).isNotNull();
    boolean named = false;
    for (JsonNode e : events.get("items")) {
      named |= e.get("type").asText().equals("MachineSilenced")
          && e.get("actor").asText().equals("operator/otto")
          && e.get("cause").asText().equals("system test OPS-7");
    }
    assertThat(named).as("the DM's audit trail names otto").isTrue();

    open("/audit?humans=true");
    assertThat(text("audit")).contains("operator/otto", "sim-02", "system test OPS-7");
  }

  @Test
  @Order(6)
  void whenTheCollectionServiceIsGoneThePagesSaySoAndKeepWorking() throws Exception {
    system.collection.close();
    open("/machines/sim-01");
    assertThat(text("machine-id")).isEqualTo("sim-01");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#machine-counters .collection-problem")));
    assertThat(text("machine-counters")).contains("collection unreachable");
    assertThat(text("machine-logs")).contains("collection unreachable");
    assertThat(text("timeline")).contains("StateChanged");
    shot("12-collection-gone");
  }

  @Test
  @Order(7)
  void aViewerSeesButCannotAct() throws Exception {
    login("vera", "vera-pw");
    assertThat(text("role")).isEqualTo("viewer");
    open("/machines/sim-03");
    assertThat(text("machine-id")).isEqualTo("sim-03");
    assertThat(browser.findElements(By.id("act-silence"))).isEmpty();
    open("/actions/confirm?kind=silence&target=sim-03");
    assertThat(text("denied")).isEqualTo("Not allowed");
    shot("11-viewer-denied");
    // a forged POST with a valid CSRF token of the viewer's own session is refused too
    open("/machines/sim-03");
    Object status = ((JavascriptExecutor) browser).executeAsyncScript(
        "var done = arguments[arguments.length - 1];"
        + "var token = document.querySelector('input[name=_csrf]').value;"
        + "fetch('/actions/silence', {method: 'POST', credentials: 'same-origin', redirect: 'manual',"
        + "  headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
        + "  body: new URLSearchParams({_csrf: token, target: 'sim-03', duration: '1h'})})"
        + ".then(function (r) { done(r.status); }, function (e) { done('error ' + e); });");
    assertThat(status).isEqualTo(403L);
    JsonNode m = system.dmGet("/machines/sim-03");
    assertThat(m.get("silencedUntil").isNull()).as("sim-03 not silenced").isTrue();
  }
}
