package org.autopilot.devicemanager.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.client.DmClientException;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Decision.Rejection;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.model.*;
import org.autopilot.devicemanager.server.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The API of a real single-replica DM on loopback, through raw HTTP and the client library. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DmApiTest {

  LocalCluster cluster;
  DmClient admin;
  String base;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void boot(@TempDir Path dir) throws Exception {
    cluster = LocalCluster.create(dir, 1, 0, InstantSource.system()).start();
    cluster.leader(10_000).orElseThrow();
    base = cluster.apiUrls().get(0);
    admin = new DmClient(cluster.apiUrls(), cluster.token(Role.ADMIN), new Random(1),
        Duration.ofSeconds(10), 3);
    admin.sendAll(List.of(new DefineMachineType("web", null, "setup"),
        new DefineScaleUnit("su-1", "setup")));
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  HttpResponse<String> call(String method, String path, String body, Role role) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (role != null) {
      b.header("Authorization", "Bearer " + token(role));
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The role's token; a satellite's is the repair service's. */
  String token(Role role) {
    return role == Role.SATELLITE ? cluster.token(SatelliteService.REPAIR) : cluster.token(role);
  }

  static RegisterMachine reg(String id) {
    return new RegisterMachine(MachineId.of(id), "127.0.0.1:2200", "SHA256:" + id, "web", "su-1",
        "r1", null, "test");
  }

  @Test
  void commandsAreAnsweredOnceCommittedAndTheActorIsTheCaller() {
    CommandResult r = admin.send(reg("api-1"));
    assertThat(r.accepted()).isTrue();
    assertThat(r.events().get(0).actor()).isEqualTo("admin");
    CommandResult illegal = admin.send(new ChangeState(MachineId.of("api-1"), 0,
        LifecycleState.HEALTHY, "skip ahead"));
    assertThat(illegal.accepted()).isFalse();
    assertThat(illegal.code()).isEqualTo(Rejection.ILLEGAL_TRANSITION);
    assertThat(admin.machine(MachineId.of("api-1")).orElseThrow().state()).isEqualTo(LifecycleState.NEW);
  }

  @Test
  void anOperatorTokenMayNameTheHumanItActsForAndTheActorSaysBoth() throws Exception {
    admin.send(reg("obo-1"));
    DmClient operator = new DmClient(cluster.apiUrls(), cluster.token(Role.OPERATOR), new Random(1),
        Duration.ofSeconds(10), 1);
    CommandResult r = operator.sendOnBehalfOf("alice", new SilenceMachine(MachineId.of("obo-1"),
        60_000, "maintenance"));
    assertThat(r.accepted()).isTrue();
    assertThat(r.events().get(0).actor()).isEqualTo("operator/alice");
    assertThat(admin.events(MachineId.of("obo-1"), 0, 100).items())
        .anyMatch(e -> e.actor().equals("operator/alice") && e.cause().equals("maintenance"));

    String silence = "{\"type\":\"SilenceMachine\",\"machine\":\"obo-1\",\"durationMillis\":0,"
        + "\"cause\":\"x\"}";
    for (Role role : List.of(Role.SATELLITE, Role.MACHINE, Role.VIEWER)) {
      HttpResponse<String> refused = post(silence, role, "alice");
      assertThat(refused.statusCode()).as(role.name()).isEqualTo(403);
    }
    for (String bad : List.of("Alice", "alice bob", "alice/admin", "", "a".repeat(65), "-x")) {
      HttpResponse<String> refused = post(silence, Role.OPERATOR, bad);
      assertThat(refused.statusCode()).as(bad).isEqualTo(400);
      assertThat(refused.body()).contains("X-Autopilot-On-Behalf-Of");
    }
    assertThat(admin.machine(MachineId.of("obo-1")).orElseThrow().silencedUntil()).isNotNull();
    assertThat(post(silence, Role.ADMIN, "bob").statusCode()).isEqualTo(200);
    assertThat(admin.machine(MachineId.of("obo-1")).orElseThrow().silencedUntil()).isNull();
    operator.close();
  }

  HttpResponse<String> post(String body, Role role, String onBehalfOf) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + "/commands"))
        .header("Authorization", "Bearer " + token(role))
        .header("X-Autopilot-On-Behalf-Of", onBehalfOf)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void machinesListHasTheContractFieldsAndPages() throws Exception {
    List<DmCommand> batch = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      batch.add(reg(String.format("page-%02d", i)));
    }
    assertThat(admin.sendAll(batch)).allMatch(CommandResult::accepted);

    HttpResponse<String> r = call("GET", "/machines?scaleUnit=su-1&limit=10", null, Role.VIEWER);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode page = Json.mapper().readTree(r.body());
    assertThat(page.get("items")).hasSize(10);
    JsonNode first = page.get("items").get(0);
    for (String field : List.of("id", "state", "health", "machineType", "scaleUnit")) {
      assertThat(first.has(field)).as(field).isTrue();
    }
    assertThat(first.get("state").asText()).isEqualTo("New");
    assertThat(r.headers().firstValue("X-Dm-Index")).isPresent();

    List<Machine> all = admin.allMachines(Map.of("state", "New"));
    assertThat(all.stream().filter(m -> m.id().value().startsWith("page-"))).hasSize(25);
  }

  @Test
  void requestsWithoutARightAreRefused() throws Exception {
    assertThat(call("GET", "/machines", null, null).statusCode()).isEqualTo(401);
    HttpResponse<String> viewerWrite = call("POST", "/commands",
        "{\"type\":\"DefineScaleUnit\",\"name\":\"su-v\"}", Role.VIEWER);
    assertThat(viewerWrite.statusCode()).isEqualTo(403);
    assertThat(viewerWrite.body()).contains("viewer", "VIEWER");
    assertThat(admin.status().toString()).doesNotContain("su-v");
    HttpResponse<String> satellitePin = call("POST", "/commands", "{\"type\":\"PinHostKey\",\"expectedVersion\":0,\"cause\":\"x\","
        + "\"machine\":\"m1\",\"hostKeyFingerprint\":\"SHA256:" + "A".repeat(43) + "\"}", Role.SATELLITE);
    assertThat(satellitePin.statusCode()).isEqualTo(403);
    assertThat(satellitePin.body()).contains("only an operator or an admin may send PinHostKey");
    HttpResponse<String> badToken = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(base + "/machines")).header("Authorization", "Bearer nope").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(badToken.statusCode()).isEqualTo(401);
  }

  @Test
  void aSatelliteSendsOnlyItsServicesCommandsAndTakesOnlyItsLeases() throws Exception {
    DmClient provisioning = new DmClient(cluster.apiUrls(), cluster.token(SatelliteService.PROVISIONING),
        new Random(1), Duration.ofSeconds(10), 1);
    CommandResult found = provisioning.send(reg("svc-1"));
    assertThat(found.accepted()).isTrue();
    assertThat(found.events().get(0).actor()).as("the audit trail names the service").isEqualTo("provisioning");
    assertThat(provisioning.send(new AcquireLease("provisioning", "prov-1", 5_000, "lead")).accepted()).isTrue();

    String register = "{\"type\":\"RegisterMachine\",\"machine\":\"svc-2\",\"address\":\"127.0.0.1:22\","
        + "\"hostKeyFingerprint\":\"SHA256:svc-2\",\"cause\":\"x\"}";
    HttpResponse<String> repairRegisters = callAs("POST", "/commands", register, SatelliteService.REPAIR);
    assertThat(repairRegisters.statusCode()).isEqualTo(403);
    assertThat(repairRegisters.body()).contains("command 0 (RegisterMachine) refused",
        "satellite repair of service repair may send only [ClaimRepair, FinishRepair");
    HttpResponse<String> watchdogTakesLease = callAs("POST", "/commands",
        "{\"type\":\"AcquireLease\",\"service\":\"repair\",\"holder\":\"evil\",\"ttlMillis\":5000,\"cause\":\"x\"}",
        SatelliteService.WATCHDOG);
    assertThat(watchdogTakesLease.statusCode()).isEqualTo(403);
    assertThat(watchdogTakesLease.body()).contains("may hold only the leases [watchdog-service], not 'repair'");
    HttpResponse<String> deploymentMoves = callAs("POST", "/commands", "[" + register.replace("svc-2", "svc-3")
        + ",{\"type\":\"ChangeState\",\"machine\":\"svc-1\",\"expectedVersion\":0,\"to\":\"Provisioning\",\"cause\":\"x\"}]",
        SatelliteService.DEPLOYMENT);
    assertThat(deploymentMoves.statusCode()).as(deploymentMoves.body()).isEqualTo(403);
    assertThat(admin.machine(MachineId.of("svc-3"))).as("a refused batch changes nothing").isEmpty();
    assertThat(admin.machine(MachineId.of("svc-1")).orElseThrow().state()).isEqualTo(LifecycleState.NEW);

    HttpResponse<String> operatorDefines = call("POST", "/commands",
        "{\"type\":\"DefineMachineType\",\"name\":\"gpu\",\"cause\":\"x\"}", Role.OPERATOR);
    assertThat(operatorDefines.statusCode()).isEqualTo(403);
    assertThat(operatorDefines.body()).contains("only an admin may send DefineMachineType");
    assertThat(call("POST", "/commands", "{\"type\":\"DefineMachineType\",\"name\":\"gpu\",\"cause\":\"x\"}",
        Role.ADMIN).statusCode()).isEqualTo(200);
  }

  HttpResponse<String> callAs(String method, String path, String body, SatelliteService service) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + cluster.token(service))
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void badInputGetsAClearErrorAndChangesNothing() throws Exception {
    long before = admin.watch(0, Duration.ZERO);
    HttpResponse<String> notJson = call("POST", "/commands", "{\"type\": \"DefineScaleUnit\",\n \"name\": ", Role.OPERATOR);
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.body()).contains("line 2");

    HttpResponse<String> unknownType = call("POST", "/commands", "{\"type\":\"FormatDisks\"}", Role.OPERATOR);
    assertThat(unknownType.statusCode()).isEqualTo(400);
    assertThat(unknownType.body()).contains("FormatDisks");

    HttpResponse<String> unknownField = call("POST", "/commands",
        "{\"type\":\"DefineScaleUnit\",\"name\":\"su-x\",\"colour\":\"red\"}", Role.OPERATOR);
    assertThat(unknownField.statusCode()).isEqualTo(400);
    assertThat(unknownField.body()).contains("colour");

    HttpResponse<String> badId = call("POST", "/commands",
        "{\"type\":\"ChangeState\",\"machine\":\"../etc\",\"to\":\"Healthy\"}", Role.OPERATOR);
    assertThat(badId.statusCode()).isEqualTo(400);
    assertThat(badId.body()).contains("machine id");

    String deep = "[".repeat(500) + "]".repeat(500);
    assertThat(call("POST", "/commands", deep, Role.OPERATOR).statusCode()).isEqualTo(400);

    String huge = "{\"type\":\"DefineScaleUnit\",\"name\":\"a\",\"cause\":\"" + "x".repeat(2 << 20) + "\"}";
    assertThat(call("POST", "/commands", huge, Role.OPERATOR).statusCode()).isEqualTo(413);

    HttpResponse<String> badParam = call("GET", "/machines?limit=-4", null, Role.VIEWER);
    assertThat(badParam.statusCode()).isEqualTo(400);
    assertThat(badParam.body()).contains("limit");
    assertThat(call("GET", "/watch?index=1&wait=forever", null, Role.VIEWER).body()).contains("wait");
    assertThat(call("GET", "/nothing-here", null, Role.VIEWER).statusCode()).isEqualTo(404);

    assertThat(admin.watch(0, Duration.ZERO)).as("revision unchanged").isEqualTo(before);
  }

  @Test
  void aWatchReturnsOnChangeAndOnTimeout() {
    long index = admin.watch(0, Duration.ZERO);
    long start = System.nanoTime();
    assertThat(admin.watch(index, Duration.ofMillis(300))).isEqualTo(index);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));

    CompletableFuture<Long> waiting = admin.watchAsync(index, Duration.ofSeconds(30));
    admin.send(new DefineScaleUnit("su-watch", "wake the watcher"));
    assertThat(waiting.orTimeout(10, TimeUnit.SECONDS).join()).isGreaterThan(index);
  }

  @Test
  void aMachineWatchWakesOnlyWhenThatMachineChanges() throws Exception {
    long v = admin.send(reg("watched")).revision();
    CompletableFuture<HttpResponse<String>> w = http.sendAsync(HttpRequest.newBuilder(
            URI.create(base + "/machines/watched?index=" + v + "&wait=20s"))
        .header("Authorization", "Bearer " + cluster.token(Role.VIEWER)).build(),
        HttpResponse.BodyHandlers.ofString());
    admin.send(reg("other"));
    Thread.sleep(300);
    assertThat(w).as("another machine's change does not wake it").isNotDone();
    admin.send(new ReportHealth(MachineId.of("watched"), Health.WARNING, "disk 91%"));
    JsonNode m = Json.mapper().readTree(w.get(10, TimeUnit.SECONDS).body());
    assertThat(m.get("health").asText()).isEqualTo("Warning");
  }

  @Test
  void thousandsOfOpenWatchesHoldNoThreads() throws Exception {
    int threadsBefore = Thread.activeCount();
    long index = admin.watch(0, Duration.ZERO);
    List<CompletableFuture<Long>> watches = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      watches.add(admin.watchAsync(index, Duration.ofSeconds(60)));
    }
    JsonNode status = null;
    for (int i = 0; i < 200; i++) {
      status = admin.status();
      if (status.get("openWatches").asInt() >= 2000) {
        break;
      }
      Thread.sleep(50);
    }
    assertThat(status.get("openWatches").asInt()).isGreaterThanOrEqualTo(2000);
    assertThat(Thread.activeCount() - threadsBefore).as("threads added").isLessThan(200);
    admin.send(new DefineScaleUnit("su-many", "wake 2000 watchers"));
    for (CompletableFuture<Long> w : watches) {
      assertThat(w.get(30, TimeUnit.SECONDS)).isGreaterThan(index);
    }
  }

  @Test
  void eventsAreTheAuditTrailWithActorAndCause() {
    admin.send(reg("audited"));
    admin.send(new ChangeState(MachineId.of("audited"), 0, LifecycleState.PROVISIONING, "imaging"));
    var page = admin.events(0, 10_000);
    assertThat(page.items()).anySatisfy(e -> {
      assertThat(e.cause()).isEqualTo("imaging");
      assertThat(e.actor()).isEqualTo("admin");
    });
    var tail = admin.events(page.items().get(page.items().size() - 2).revision(), 10);
    assertThat(tail.items()).hasSize(1);
  }

  @Test
  void theOpenApiDocumentAndMetricsAreServed() throws Exception {
    HttpResponse<String> doc = call("GET", "/openapi.json", null, null);
    assertThat(doc.statusCode()).isEqualTo(200);
    assertThat(Json.mapper().readTree(doc.body()).at("/paths/~1machines/get")).isNotEmpty();
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(
            base.replace("/api/v1", "/metrics")))
        .header("Authorization", "Bearer " + cluster.token(Role.VIEWER)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body()).contains("dm_revision", "dm_open_watches", "jvm_threads_live");
  }

  @Test
  void theClientReportsAnUnreachableDmClearly() {
    DmClient nowhere = new DmClient(List.of("http://127.0.0.1:1/api/v1"), "t", new Random(2),
        Duration.ofSeconds(1), 2);
    assertThatThrownBy(() -> nowhere.send(new DefineScaleUnit("x", "")))
        .isInstanceOf(DmClientException.class).hasMessageContaining("2 attempt");
  }
}
