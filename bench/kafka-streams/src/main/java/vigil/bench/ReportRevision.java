package vigil.bench;

/**
 * What the count remembers of one report: its revision, so that an equal or
 * older one is ignored, and the count it belongs to (see WeekKey), so that a
 * later revision moves it.
 */
public record ReportRevision(int revision, String countKey) {}
