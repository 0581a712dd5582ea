/**
 * Machine types by rules: the plain-text {@code machine-types.yaml} kept in the manifests git
 * repository (address blocks, ports and facts to type, scale unit and rack), its strict parser
 * with file:line errors, and where it is read from (a file, or a branch of a git repository).
 */
package org.autopilot.provisioning.rules;
