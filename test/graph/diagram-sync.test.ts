/**
 * The diagram in docs/state-machine.md is generated: this fails while the checked-in block
 * differs from what the current machine draws, and says which command fixes it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createRecoveryMachine } from '../../machines/index.js';
import {
  DIAGRAM_COMMAND,
  DIAGRAM_END,
  DIAGRAM_START,
  diagramBlock,
  extractDiagramBlock,
  replaceDiagramBlock,
} from '../../src/graph/index.js';

const DOC = new URL('../../docs/state-machine.md', import.meta.url);
const SCRIPT = new URL('../../scripts/write-diagram.ts', import.meta.url);
const run = promisify(execFile);

describe('docs/state-machine.md', () => {
  it('holds the diagram the machine draws today', async () => {
    const markdown = await readFile(DOC, 'utf8');
    const expected = diagramBlock(createRecoveryMachine());
    expect(
      extractDiagramBlock(markdown),
      `docs/state-machine.md's diagram is stale: run \`${DIAGRAM_COMMAND}\` and commit the result`,
    ).toBe(expected);
  });

  it('keeps the diagram in a mermaid fence between the markers', async () => {
    const markdown = await readFile(DOC, 'utf8');
    expect(markdown).toContain(`${DIAGRAM_START}\n\`\`\`mermaid\nstateDiagram-v2\n`);
    expect(markdown).toContain(`\n\`\`\`\n${DIAGRAM_END}`);
  });
});

describe('diagram block', () => {
  const doc = `# Title\n\nbefore\n\n${DIAGRAM_START}\nold\n${DIAGRAM_END}\n\nafter\n`;

  it('replaces only what sits between the markers', () => {
    const updated = replaceDiagramBlock(doc, '```mermaid\nnew\n```');
    expect(updated).toBe(
      `# Title\n\nbefore\n\n${DIAGRAM_START}\n\`\`\`mermaid\nnew\n\`\`\`\n${DIAGRAM_END}\n\nafter\n`,
    );
    expect(extractDiagramBlock(updated)).toBe('```mermaid\nnew\n```');
    expect(replaceDiagramBlock(updated, '```mermaid\nnew\n```')).toBe(updated);
  });

  it('refuses a document without markers, or with them out of order', () => {
    expect(() => extractDiagramBlock('# nothing here')).toThrow(DIAGRAM_START);
    expect(() => replaceDiagramBlock(`${DIAGRAM_END}\n${DIAGRAM_START}`, 'x')).toThrow('in that order');
  });
});

describe(`the ${DIAGRAM_COMMAND} script`, () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('rewrites a stale block, and --check tells stale from fresh', async () => {
    dir = await mkdtemp(join(tmpdir(), 'diagram-'));
    const path = join(dir, 'doc.md');
    await writeFile(path, `intro\n${DIAGRAM_START}\nstale\n${DIAGRAM_END}\noutro\n`);
    const script = [process.execPath, ['--import', 'tsx', SCRIPT.pathname]] as const;

    await expect(run(script[0], [...script[1], '--check', path])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(DIAGRAM_COMMAND),
    });
    await run(script[0], [...script[1], path]);
    const written = await readFile(path, 'utf8');
    expect(extractDiagramBlock(written)).toBe(diagramBlock(createRecoveryMachine()));
    expect(written.startsWith(`intro\n${DIAGRAM_START}\n`)).toBe(true);
    expect(written.endsWith(`${DIAGRAM_END}\noutro\n`)).toBe(true);
    const { stdout } = await run(script[0], [...script[1], '--check', path]);
    expect(stdout).toContain('up to date');
  });
});
