/**
 * The collection's SQL side, through JDBI: the schema (created on start, the same for H2 and
 * PostgreSQL), series ids, the group-committing writer that stores accepted batches, the
 * rollup and retention pass, and the queries behind the API. Only this package speaks SQL.
 * Depends on {@code model}, {@code wire} (the parsed batch) and JDBI/HikariCP.
 */
package org.autopilot.collection.store;
