/**
 * The chaos suite (docs/chaos.md): the whole system in one JVM on loopback — three DM replicas
 * with real disks behind cuttable TCP relays, deployment servers, repair and provisioning replicas,
 * the watchdog service and a simulated fleet running the real app-manager — while a seeded
 * schedule kills and restarts its parts and injects machine faults; afterwards invariants are
 * checked on every replica's audit trail and every machine must converge. Test code only; it may
 * depend on every module's public API, never on Ratis.
 */
package org.autopilot.chaos;
