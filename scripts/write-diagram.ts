/**
 * `npm run docs:diagram`: redraws the recovery machine's Mermaid diagram between the
 * `<!-- diagram:start -->` and `<!-- diagram:end -->` markers in docs/state-machine.md.
 * `--check` writes nothing and exits 1 when the checked-in diagram is stale.
 * An optional path argument points at another document (for tests and other docs).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createRecoveryMachine } from '../machines/index.js';
import {
  DIAGRAM_COMMAND,
  diagramBlock,
  extractDiagramBlock,
  replaceDiagramBlock,
} from '../src/graph/doc-block.js';

const DEFAULT_DOC = fileURLToPath(new URL('../docs/state-machine.md', import.meta.url));

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const path = argv.find((arg) => !arg.startsWith('--')) ?? DEFAULT_DOC;
  const markdown = await readFile(path, 'utf8');
  const block = diagramBlock(createRecoveryMachine());
  if (extractDiagramBlock(markdown) === block) {
    console.log(`${path}: diagram is up to date`);
    return 0;
  }
  if (check) {
    console.error(`${path}: diagram is stale; run \`${DIAGRAM_COMMAND}\``);
    return 1;
  }
  await writeFile(path, replaceDiagramBlock(markdown, block), 'utf8');
  console.log(`${path}: diagram rewritten`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
