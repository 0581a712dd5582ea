package org.autopilot.manifests;

/**
 * How a new version of a manifest moves through the fleet (read by the rollout driver).
 *
 * @param threshold percent of a scale unit's machines that must hold the version before it is
 *     activated there, and that must be Healthy after the bake time; 1..100, default 80
 * @param bake how long activated machines stay in Probation before the unit is judged,
 *     default {@code 5m}
 */
public record RolloutSettings(Integer threshold, String bake) {
  /** Validates and fills defaults. */
  public RolloutSettings {
    threshold = threshold == null ? 80 : threshold;
    if (threshold < 1 || threshold > 100) {
      throw new IllegalArgumentException("rollout threshold must be 1..100 percent, got " + threshold);
    }
    bake = bake == null ? "5m" : bake;
    Durations.parse(bake, "rollout bake");
  }
}
