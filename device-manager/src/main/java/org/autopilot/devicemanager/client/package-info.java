/**
 * The Java client every satellite and agent uses to talk to the Device Manager: leader
 * discovery, retries with jittered exponential backoff, typed commands and reads, and blocking
 * watches. Depends on the model, commands and JSON configuration only; plain JDK HTTP.
 */
package org.autopilot.devicemanager.client;
