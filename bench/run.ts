/**
 * `npm run bench`: runs every benchmark in one process, one after the other, and writes
 * docs/benchmarks.md with the machine, the Node version, the date, the command, a table per
 * comparison and every target with its verdict. `--only <name,...>` runs a subset (and still
 * writes the file, marked partial). Figures measured by hand (bench/install-size.md: install size
 * before/after the optional peers) are appended verbatim, so a re-run keeps them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchColdImport } from './cold-import.js';
import { benchFleet } from './fleet.js';
import { benchHotPath } from './hot-path.js';
import { benchMemory } from './memory.js';
import { benchMultiProcess } from './multi-process.js';
import { benchRecoveryLatency } from './recovery-latency.js';
import { benchSingleFlight } from './single-flight.js';
import { type BenchSection, formatNumber, markdownTable, verdict } from './support/report.js';

const BENCHES: Record<string, () => Promise<BenchSection>> = {
  'hot-path': () => benchHotPath(),
  'single-flight': benchSingleFlight,
  'multi-process': benchMultiProcess,
  'recovery-latency': benchRecoveryLatency,
  memory: benchMemory,
  'cold-import': benchColdImport,
  fleet: benchFleet,
};

const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? (process.argv[onlyIndex + 1] ?? '').split(',') : Object.keys(BENCHES);
const output = path.resolve(import.meta.dirname, '..', 'docs', 'benchmarks.md');
const handMeasured = path.resolve(import.meta.dirname, 'install-size.md');

const startedAt = new Date();
const loadBefore = os.loadavg();
const sections: BenchSection[] = [];
for (const name of only) {
  const bench = BENCHES[name];
  if (!bench) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.stderr.write(`[bench] ${name}…\n`);
  const section = await bench();
  process.stderr.write(`[bench] ${name} done in ${formatNumber((section.durationMs ?? 0) / 1000, 1)} s\n`);
  sections.push(section);
}
const loadAfter = os.loadavg();
const totalSeconds = (Date.now() - startedAt.getTime()) / 1000;

const cpus = os.cpus();
const machine = [
  `- **CPU**: ${cpus[0]?.model.trim() ?? 'unknown'}, ${cpus.length} logical cores`,
  `- **Memory**: ${formatNumber(os.totalmem() / 1024 ** 3, 1)} GiB`,
  `- **OS**: ${os.type()} ${os.release()} (${os.arch()})`,
  `- **Node**: ${process.version}`,
  `- **Date**: ${startedAt.toISOString()}`,
  `- **Command**: \`npm run bench\` (\`tsx bench/run.ts${onlyIndex >= 0 ? ` --only ${only.join(',')}` : ''}\`), ${formatNumber(totalSeconds, 0)} s in all`,
  `- **Load average** (1/5/15 min) at start ${loadBefore.map((l) => l.toFixed(2)).join(' / ')}, at end ${loadAfter.map((l) => l.toFixed(2)).join(' / ')}. Figures above ~${cpus.length} mean other processes shared the cores during the run, which inflates latencies.`,
];

const allTargets = sections.flatMap((section) =>
  section.targets.map((target) => ({ section: section.title, ...target })),
);
const summary = markdownTable([
  ['Comparison', 'Metric', 'Target', 'Measured', 'Verdict'],
  ...allTargets.map((t) => [t.section, t.metric, t.target, t.measured, verdict(t.met)]),
]);
const misses = allTargets.filter((t) => !t.met);

const body = sections.map((section) =>
  [
    `## ${section.title}`,
    '',
    section.method,
    '',
    markdownTable(section.table),
    '',
    ...section.targets.map(
      (t) =>
        `- **${t.metric}** — target ${t.target}, measured ${t.measured}: ${verdict(t.met)}.${t.note ? ` ${t.note}` : ''}`,
    ),
    ...(section.notes?.length ? ['', ...section.notes.map((note) => `- ${note}`)] : []),
    '',
    `_Took ${formatNumber((section.durationMs ?? 0) / 1000, 1)} s._`,
  ].join('\n'),
);

const document = [
  '# Benchmarks',
  '',
  '<!-- Written by `npm run bench` (bench/run.ts). Do not edit by hand: re-run the command. -->',
  '',
  `All figures below come from one run${onlyIndex >= 0 ? ' (partial: only the named benchmarks)' : ''}, on this machine:`,
  '',
  ...machine,
  '',
  '## Targets',
  '',
  summary,
  '',
  misses.length === 0
    ? 'Every target was met.'
    : `${misses.length} target${misses.length === 1 ? ' was' : 's were'} not met; each section below says by how much and why.`,
  '',
  ...body.flatMap((text) => [text, '']),
  '<!-- Below: measured by hand, kept verbatim from bench/install-size.md by bench/run.ts. -->',
  '',
  (await readFile(handMeasured, 'utf8')).trimEnd(),
  '',
].join('\n');

await writeFile(output, document);
process.stderr.write(
  `[bench] wrote ${path.relative(process.cwd(), output)} in ${formatNumber(totalSeconds, 0)} s\n`,
);
