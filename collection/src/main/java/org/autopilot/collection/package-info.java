/**
 * Counters and logs from every machine, stored in SQL (issue #7). {@code model} holds the
 * records everything else speaks in, {@code wire} the machines' batch format and its strict
 * parser, {@code store} the SQL schema, ingest, rollups, retention and queries (JDBI; H2
 * embedded by default, PostgreSQL by JDBC URL), {@code service} the HTTP satellite that ties
 * them together, {@code client} a small reader of its query API. It may depend on the Device
 * Manager's token checking only, never on its replication engine. See
 * {@code docs/collection.md}.
 */
package org.autopilot.collection;
