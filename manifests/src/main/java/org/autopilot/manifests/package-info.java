/**
 * The manifest format: YAML schema, parser, validation, examples.
 *
 * <p>Not built yet: this module holds its place in the reactor until its issue is taken up
 * (see the README's roadmap). It may depend on the Device Manager's client only, never on its
 * replication engine.
 */
package org.autopilot.manifests;
