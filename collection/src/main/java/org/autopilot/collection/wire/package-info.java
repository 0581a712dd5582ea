/**
 * The batch machines send ({@code POST /api/v1/ingest}, gzip-compressed JSON, see
 * {@code docs/collection.md}): its parsed form and its strict, bounded parser. A batch is
 * accepted whole or refused whole with a status and a message saying what and where. Depends on
 * {@code model} and Jackson's streaming parser only.
 */
package org.autopilot.collection.wire;
