/**
 * What each benchmark hands back to bench/run.ts, and the Markdown it becomes in
 * docs/benchmarks.md: a table of measurements and a list of targets, each met or not.
 */

export interface TargetCheck {
  metric: string;
  target: string;
  measured: string;
  met: boolean;
  /** When not met: by how much and why. */
  note?: string;
}

export interface BenchSection {
  title: string;
  /** How it was measured, one paragraph. */
  method: string;
  /** First row is the header. */
  table: string[][];
  targets: TargetCheck[];
  notes?: string[];
  durationMs?: number;
}

export function markdownTable(rows: readonly (readonly string[])[]): string {
  const [header, ...body] = rows;
  if (!header) return '';
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
}

export function verdict(met: boolean): string {
  return met ? 'met' : '**not met**';
}

export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}
