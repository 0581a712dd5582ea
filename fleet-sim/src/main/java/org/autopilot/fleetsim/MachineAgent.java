package org.autopilot.fleetsim;

/**
 * Whatever runs on a simulated machine between boot and shutdown (the app-manager daemon,
 * once it exists). Started on every boot, stopped on every shutdown, reboot and reimage.
 */
public interface MachineAgent {
  /** Starts on boot; the machine's disk is {@code machine.disk()}. */
  void start(SimulatedMachine machine);

  /** Stops on shutdown; must return promptly. */
  void stop();

  /** An agent that does nothing (a machine with no software installed). */
  MachineAgent NONE = new MachineAgent() {
    @Override
    public void start(SimulatedMachine machine) {}

    @Override
    public void stop() {}
  };
}
