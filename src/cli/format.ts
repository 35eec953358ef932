/** Small formatters for people: durations, timestamps, aligned tables. */

/** `850 ms`, `42 s`, `4m 10s`, `7h 59m`, `3d 2h`; negative durations get a leading `-`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return Number.isNaN(ms) ? '-' : ms > 0 ? 'forever' : '-forever';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/**
 * An epoch-ms time as ISO 8601 (UTC). Total: `-` for none, and `invalid time (N ms)` for a
 * number no Date can hold (beyond ±8.64e15 ms), where `toISOString()` would throw
 * "Invalid time value" and crash the command.
 */
export function formatTime(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined || Number.isNaN(epochMs)) return '-';
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? `invalid time (${epochMs} ms)` : date.toISOString();
}

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, [...cell].length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, index) =>
        index === row.length - 1 ? cell : cell + ' '.repeat((widths[index] ?? 0) - [...cell].length),
      )
      .join('  ')
      .trimEnd(),
  );
}
