package org.autopilot.cockpit.web;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.autopilot.cockpit.fleet.FleetMirror;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.thymeleaf.ITemplateEngine;
import org.thymeleaf.context.Context;

/**
 * Pushes the overview's live region to every open overview page as a server-sent event
 * ({@code overview}: the region's HTML) at most once a second when the fleet changed, and a
 * comment every 15 s to keep idle connections open. The region is rendered once per change,
 * whatever the number of viewers.
 */
@Component
class LiveOverview implements AutoCloseable {
  private final List<SseEmitter> emitters = new CopyOnWriteArrayList<>();
  private final AtomicBoolean dirty = new AtomicBoolean();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "live-overview");
    t.setDaemon(true);
    return t;
  });
  private final FleetMirror mirror;
  private final ITemplateEngine templates;
  private final Format fmt;
  private int ticks;

  LiveOverview(FleetMirror mirror, ITemplateEngine templates, Format fmt) {
    this.mirror = mirror;
    this.templates = templates;
    this.fmt = fmt;
    mirror.onUpdate(v -> dirty.set(true));
    timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
  }

  SseEmitter subscribe() {
    SseEmitter e = new SseEmitter(TimeUnit.MINUTES.toMillis(10));
    e.onCompletion(() -> emitters.remove(e));
    e.onTimeout(() -> emitters.remove(e));
    e.onError(x -> emitters.remove(e));
    emitters.add(e);
    return e;
  }

  /** How many pages are listening. */
  int listeners() {
    return emitters.size();
  }

  private void tick() {
    try {
      ticks++;
      if (emitters.isEmpty()) {
        return;
      }
      if (dirty.getAndSet(false)) {
        String html = render();
        send(() -> SseEmitter.event().name("overview").data(html));
      } else if (ticks % 15 == 0) {
        send(() -> SseEmitter.event().comment("keep-alive"));
      }
    } catch (RuntimeException e) {
      // a rendering problem must not stop the timer; the next change tries again
      dirty.set(true);
    }
  }

  String render() {
    Context ctx = new Context();
    ctx.setVariable("view", mirror.view());
    ctx.setVariable("fmt", fmt);
    return templates.process("overview", Set.of("live"), ctx).replace('\n', ' ');
  }

  private void send(java.util.function.Supplier<SseEmitter.SseEventBuilder> event) {
    for (SseEmitter e : emitters) {
      try {
        e.send(event.get());
      } catch (IOException | IllegalStateException x) {
        emitters.remove(e);
        e.completeWithError(x);
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    emitters.forEach(SseEmitter::complete);
  }
}
