package org.autopilot.watchdogs;

/**
 * One performance-data item: {@code 'label'=value[UOM];[warn];[crit];[min];[max]}.
 *
 * @param label the label (quotes removed, {@code ''} unescaped)
 * @param value the value, or null for {@code U} (undetermined)
 * @param uom unit of measure: empty, {@code s ms us % B KB MB GB TB c}
 * @param warn warning range, or null
 * @param crit critical range, or null
 * @param min minimum, or null
 * @param max maximum, or null
 */
public record PerfData(String label, Double value, String uom, Range warn, Range crit, Double min,
    Double max) {}
