/**
 * The simulated fleet: every {@link org.autopilot.fleetsim.SimulatedMachine} is a real SSH
 * server (Apache MINA SSHD) on a loopback port, with a persistent host key, public-key
 * authentication, its own directory as its disk, a management interface ({@code reboot},
 * {@code reimage}, {@code power}, {@code machine-id}, {@code facts}) and injectable faults.
 * Plain Java; depends on MINA SSHD only, never on the Device Manager.
 */
package org.autopilot.fleetsim;
