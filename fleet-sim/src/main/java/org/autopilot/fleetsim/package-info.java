/**
 * The simulated fleet: every {@link org.autopilot.fleetsim.SimulatedMachine} is a real SSH
 * server (Apache MINA SSHD) on a loopback port, with a persistent host key, public-key
 * authentication, its own directory as its disk, a management interface ({@code reboot},
 * {@code reimage}, {@code power}, {@code machine-id}, {@code facts}) and injectable faults.
 * {@link org.autopilot.fleetsim.FleetControl} is its HTTP control API (the "BMC" of every
 * machine, and fault injection). Depends on MINA SSHD and Javalin, never on the Device Manager.
 */
package org.autopilot.fleetsim;
