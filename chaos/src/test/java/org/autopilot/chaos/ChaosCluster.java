package org.autopilot.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.SatelliteService;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.server.ClusterCredentials;
import org.autopilot.devicemanager.server.DmConfig;
import org.autopilot.devicemanager.server.DmServer;
import org.autopilot.devicemanager.server.LocalCluster;

/**
 * Three DM replicas in this JVM, each with its own data directory, each behind two
 * {@link LoopbackProxy relays}: one for its Raft port (the address in {@code peers.<id>.raft} that
 * the other replicas dial, while the replica binds {@code peers.<id>.listen}) and one for its HTTP
 * API (the URL every client of the suite is given). A replica can be killed and restarted from
 * its disk, or {@linkplain #isolate(String) taken off the network}: both its relays cut and the
 * connections it opened to its peers dropped, so it neither reaches nor is reached by anyone
 * while it keeps running (see {@link LoopbackProxy} for exactly what that simulates).
 */
final class ChaosCluster implements AutoCloseable {
  private final Map<String, DmConfig> configs = new LinkedHashMap<>();
  private final Map<String, DmServer> live = new LinkedHashMap<>();
  private final Map<String, LoopbackProxy[]> proxies = new LinkedHashMap<>();
  private final java.util.Set<String> offline = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final ClusterCredentials credentials;
  private final InstantSource clock;

  ChaosCluster(Path base, int replicas, InstantSource clock) throws IOException {
    this.clock = clock;
    Files.createDirectories(base);
    credentials = ClusterCredentials.loadOrCreate(base.resolve("credentials.properties"));
    List<TokenAuthenticator.TokenEntry> entries = credentials.entries();
    Map<String, DmConfig.Peer> peers = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= replicas; i++) {
      ids.add("dm" + i);
    }
    for (int i = 1; i <= replicas; i++) {
      String id = "dm" + i;
      int raftProxy = LocalCluster.freePort();
      int raftListen = LocalCluster.freePort();
      int api = LocalCluster.freePort();
      int apiProxy = LocalCluster.freePort();
      peers.put(id, new DmConfig.Peer("127.0.0.1:" + raftProxy, "http://127.0.0.1:" + api,
          "127.0.0.1:" + raftListen));
      proxies.put(id, new LoopbackProxy[] {new LoopbackProxy(raftProxy, raftListen, ids, offline),
          new LoopbackProxy(apiProxy, api, List.of(), offline)});
    }
    for (String id : peers.keySet()) {
      configs.put(id, new DmConfig(id, base.resolve(id), peers, null, null, null, entries,
          credentials.machineSecret()).validate());
    }
  }

  /** Starts every replica that is not running. */
  synchronized ChaosCluster start() throws IOException {
    for (String id : configs.keySet()) {
      restart(id);
    }
    return this;
  }

  /** Stops a replica abruptly; its data stays. */
  synchronized void kill(String id) {
    DmServer s = live.remove(id);
    if (s != null) {
      s.close();
    }
  }

  /** Starts a stopped replica again from its data directory. */
  synchronized void restart(String id) throws IOException {
    if (!live.containsKey(id)) {
      live.put(id, DmServer.start(configs.get(id), clock));
    }
  }

  /**
   * Takes the replica off the network: its Raft and API relays cut, and the connections it
   * opened to its peers' relays dropped (see {@link LoopbackProxy}). It runs on, alone.
   */
  void isolate(String id) {
    offline.add(id);
    for (LoopbackProxy p : proxies.get(id)) {
      p.cut();
    }
    proxies.forEach((other, ps) -> ps[0].drop(id));
  }

  /** Puts it back on the network. */
  void reconnect(String id) throws IOException {
    offline.remove(id);
    for (LoopbackProxy p : proxies.get(id)) {
      p.restore();
    }
  }

  /** The id of the replica that leads now, or null. */
  synchronized String leader() {
    for (Map.Entry<String, DmServer> e : live.entrySet()) {
      if (e.getValue().replica().status().leading()) {
        return e.getKey();
      }
    }
    return null;
  }

  /** The first of {@code ids} that runs and thinks it leads, or null. */
  synchronized String leaderAmong(List<String> ids) {
    for (String id : ids) {
      DmServer s = live.get(id);
      if (s != null && s.replica().status().leading()) {
        return id;
      }
    }
    return null;
  }

  /** A running replica's fleet revision, or -1 when it is down. */
  synchronized long revision(String id) {
    DmServer s = live.get(id);
    return s == null ? -1 : s.replica().status().revision();
  }

  /** Replica ids, in order. */
  List<String> ids() {
    return List.copyOf(configs.keySet());
  }

  /** Whether the replica runs. */
  synchronized boolean running(String id) {
    return live.containsKey(id);
  }

  /** The API URLs clients use: the relays. */
  List<String> apiUrls() {
    return ids().stream().map(this::apiUrl).toList();
  }

  /** One replica's API URL through its relay. */
  String apiUrl(String id) {
    return "http://127.0.0.1:" + proxies.get(id)[1].port() + "/api/v1";
  }

  /** One replica's API URL directly, bypassing its relay (for the checks afterwards). */
  String directApiUrl(String id) {
    return configs.get(id).peers().get(id).api() + "/api/v1";
  }

  String token(Role role) {
    return credentials.token(role);
  }

  /** The token of one satellite service: each sends only its service's commands. */
  String token(SatelliteService service) {
    return credentials.token(service);
  }

  String machineSecret() {
    return credentials.machineSecret();
  }

  String machineToken(String machine) {
    return credentials.machineToken(machine);
  }

  @Override
  public synchronized void close() {
    new ArrayList<>(live.keySet()).forEach(this::kill);
    proxies.values().forEach(ps -> {
      for (LoopbackProxy p : ps) {
        p.close();
      }
    });
  }
}
