package org.autopilot.repair;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;

/**
 * The repair service's Quartz schedules (RAM job store, one worker thread of its own): the
 * periodic look at the queue on {@code runCron}, and one trigger per distinct maintenance window
 * cron of the DM's health policies, in UTC like the DM evaluates them. A job only enqueues a
 * {@link RepairService.Wake}; the service's worker does the rest.
 */
final class RepairSchedules implements AutoCloseable {
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final TimeZone UTC = TimeZone.getTimeZone("UTC");
  private static final JobKey RUN = new JobKey("run", "repair");
  private static final JobKey WINDOW = new JobKey("window", "repair");

  private final Scheduler scheduler;
  private final Map<String, TriggerKey> windows = new HashMap<>();
  private int nextWindow;

  /** Starts Quartz with the periodic look on {@code runCron}; jobs call {@code wake}. */
  RepairSchedules(String holder, String runCron, Consumer<RepairService.Wake> wake)
      throws SchedulerException {
    Properties p = new Properties();
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME,
        "repair-" + holder + "-" + INSTANCES.incrementAndGet());
    p.setProperty(StdSchedulerFactory.PROP_SCHED_MAKE_SCHEDULER_THREAD_DAEMON, "true");
    p.setProperty(StdSchedulerFactory.PROP_THREAD_POOL_CLASS, "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", "1");
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.simpl.RAMJobStore");
    scheduler = new StdSchedulerFactory(p).getScheduler();
    scheduler.setJobFactory((bundle, s) -> new Enqueue(wake,
        bundle.getJobDetail().getKey().equals(WINDOW) ? RepairService.Wake.WINDOW
            : RepairService.Wake.SCHEDULE));
    JobDetail run = JobBuilder.newJob(Enqueue.class).withIdentity(RUN).build();
    scheduler.scheduleJob(run, TriggerBuilder.newTrigger().withIdentity("run", "repair")
        .withSchedule(CronScheduleBuilder.cronSchedule(runCron).inTimeZone(UTC)
            .withMisfireHandlingInstructionDoNothing())
        .build());
    scheduler.addJob(JobBuilder.newJob(Enqueue.class).withIdentity(WINDOW).storeDurably().build(), false);
    scheduler.start();
  }

  /**
   * Makes the window triggers exactly {@code crons} (each a Quartz cron expression, UTC): new
   * ones are scheduled, vanished ones dropped. Invalid expressions are skipped (the DM validates
   * them when a policy is set).
   */
  synchronized void windows(Set<String> crons) throws SchedulerException {
    for (String gone : new TreeSet<>(windows.keySet())) {
      if (!crons.contains(gone)) {
        scheduler.unscheduleJob(windows.remove(gone));
      }
    }
    for (String cron : crons) {
      if (windows.containsKey(cron) || !org.quartz.CronExpression.isValidExpression(cron)) {
        continue;
      }
      TriggerKey key = new TriggerKey("window-" + nextWindow++, "repair");
      Trigger t = TriggerBuilder.newTrigger().withIdentity(key).forJob(WINDOW)
          .withSchedule(CronScheduleBuilder.cronSchedule(cron).inTimeZone(UTC)
              .withMisfireHandlingInstructionDoNothing())
          .build();
      scheduler.scheduleJob(t);
      windows.put(cron, key);
    }
  }

  /** The window crons scheduled now. */
  synchronized Set<String> windows() {
    return new TreeSet<>(windows.keySet());
  }

  @Override
  public void close() {
    try {
      scheduler.shutdown(false);
    } catch (SchedulerException e) {
      // stopping anyway
    }
  }

  /** The only job: asks the service to look at the queue. */
  static final class Enqueue implements Job {
    private final Consumer<RepairService.Wake> wake;
    private final RepairService.Wake why;

    Enqueue(Consumer<RepairService.Wake> wake, RepairService.Wake why) {
      this.wake = wake;
      this.why = why;
    }

    @Override
    public void execute(JobExecutionContext context) {
      wake.accept(why);
    }
  }
}
