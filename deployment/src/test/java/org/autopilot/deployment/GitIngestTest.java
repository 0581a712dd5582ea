package org.autopilot.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.model.ManifestVersion;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.manifests.ManifestRef;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifests from a real git repository into a real DM and deployment server. */
class GitIngestTest {
  @TempDir Path dir;
  LocalCluster dm;
  DmClient admin;
  DeploymentServer deploy;
  GitRepo repo;
  GitIngest ingest;

  @BeforeEach
  void setUp() throws Exception {
    dm = LocalCluster.create(dir.resolve("dm"), 1, 0, InstantSource.system()).start();
    dm.leader(10_000).orElseThrow();
    admin = new DmClient(dm.apiUrls(), dm.token(Role.ADMIN), new Random(1), Duration.ofSeconds(10), 3);
    admin.send(new DefineMachineType("web", null, "setup"));
    deploy = new DeploymentServer(DeploymentConfig.of("d1", dir.resolve("deploy"), 0, List.of(),
        TokenAuthenticator.sha256("up")), new Random(1)).start();
    repo = new GitRepo(dir.resolve("repo"));
    ingest = new GitIngest(repo.dir().toString(), "main", "manifests", dir.resolve("mirror"),
        new DeploymentClient(List.of(deploy.uri()), "up", new Random(1)),
        new DmClient(dm.apiUrls(), dm.token(org.autopilot.devicemanager.api.SatelliteService.DEPLOYMENT)));
  }

  @AfterEach
  void tearDown() {
    repo.close();
    deploy.close();
    admin.close();
    dm.close();
  }

  com.fasterxml.jackson.databind.JsonNode status() {
    return admin.getJson("ingests").get("items").get(0);
  }

  @Test
  void aCommitIsIngestedWithItsAuthorAndMessageAndStartsARollout() throws Exception {
    RevCommit c = repo.manifest("web", "1", "web", "exec sleep 600", "2s").commit("web v1\n\nfirst release");

    GitIngest.Outcome o = ingest.pollOnce();

    assertThat(o.accepted()).containsExactly(c.getName());
    ManifestVersion v = admin.manifest(ManifestRef.parse("web@1")).orElseThrow();
    assertThat(v.origin().commit()).isEqualTo(c.getName());
    assertThat(v.origin().author()).isEqualTo("Ada <ada@example.org>");
    assertThat(v.origin().message()).contains("first release");
    assertThat(v.origin().path()).isEqualTo("manifests/web.yaml");
    assertThat(deploy.store().has(v.manifest().files().get(0).sha256())).isTrue();
    assertThat(status().get("acceptedCommit").asText()).isEqualTo(c.getName());
    assertThat(admin.getJson("rollouts").get("items").get(0).get("to").asText()).isEqualTo("web@1");
    assertThat(ingest.pollOnce().accepted()).as("nothing new").isEmpty();
  }

  @Test
  void aCommitWithOneBadManifestIsRejectedWholeAndTheErrorIsVisible() throws Exception {
    repo.manifest("web", "1", "web", "exec sleep 600", "2s").commit("v1");
    ingest.pollOnce();

    repo.manifest("web", "2", "web", "exec sleep 600", "2s")
        .write("manifests/db.yaml", "name: db\nversion: \"1\"\napps:\n- {name: db, directory: db, start: x}\nowner: me\n");
    RevCommit bad = repo.commit("v2 and a broken db");
    GitIngest.Outcome o = ingest.pollOnce();

    assertThat(o.rejected()).containsExactly(bad.getName());
    assertThat(admin.manifest(ManifestRef.parse("web@2"))).as("nothing of the commit").isEmpty();
    var st = status();
    assertThat(st.get("lastCommit").asText()).isEqualTo(bad.getName());
    assertThat(st.get("rejectedCommit").asText()).isEqualTo(bad.getName());
    assertThat(st.get("errors").get(0).asText()).startsWith("manifests/db.yaml@" + bad.getName().substring(0, 12) + ":5:1")
        .contains("unknown key 'owner'");
    assertThat(admin.getJson("rollouts").get("items").get(0).get("to").asText()).isEqualTo("web@1");

    repo.write("manifests/db.yaml", "").commit("drop db");
    // an empty manifest file is a mistake too
    assertThat(ingest.pollOnce().rejected()).hasSize(1);
    repo.manifest("db", "1", "web", "exec sleep 600", "2s").commit("fix db");
    assertThat(ingest.pollOnce().accepted()).hasSize(1);
    assertThat(status().get("rejectedCommit").isNull()).isTrue();
    assertThat(admin.manifest(ManifestRef.parse("web@2"))).isPresent();
  }

  @Test
  void aSourceThatDoesNotMatchItsHashRejectsTheCommit() throws Exception {
    repo.manifest("web", "1", "web", "exec sleep 600", "2s").commit("v1");
    ingest.pollOnce();
    ManifestVersion v1 = admin.manifest(ManifestRef.parse("web@1")).orElseThrow();
    repo.write("manifests/files/web-1.sh", "#!/bin/sh\nrm -rf /\n").commit("tamper with v1's script");

    GitIngest.Outcome touched = ingest.pollOnce();
    assertThat(touched.accepted()).as("no manifest changed: nothing to register").hasSize(1);
    assertThat(admin.manifest(ManifestRef.parse("web@1")).orElseThrow())
        .as("the registered v1 still names its original content").isEqualTo(v1);
    repo.manifest("web", "2", "web", "exec sleep 600", "2s")
        .write("manifests/files/web-2.sh", "#!/bin/sh\nsomething else\n").commit("v2 with a wrong script");
    GitIngest.Outcome o = ingest.pollOnce();
    assertThat(o.rejected()).hasSize(1);
    assertThat(status().get("errors").get(0).asText()).contains("app/run.sh: source files/web-2.sh has");
  }
}
