/**
 * The generated diagram's place in docs/state-machine.md: a ```mermaid fence between two
 * HTML-comment markers. Pure string functions, shared by the `docs:diagram` script that
 * rewrites the block and the test that fails when the checked-in block is stale.
 */
import type { AnyStateMachine } from 'xstate';
import { renderMermaid } from './mermaid.js';

export const DIAGRAM_START = '<!-- diagram:start -->';
export const DIAGRAM_END = '<!-- diagram:end -->';
export const DIAGRAM_COMMAND = 'npm run docs:diagram';

/** The fenced block that belongs between the markers (without the markers). */
export function diagramBlock(machine: AnyStateMachine): string {
  return ['```mermaid', renderMermaid(machine), '```'].join('\n');
}

function markerRange(markdown: string): { from: number; to: number } {
  const start = markdown.indexOf(DIAGRAM_START);
  const end = markdown.indexOf(DIAGRAM_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`the document has no "${DIAGRAM_START}" … "${DIAGRAM_END}" markers, in that order`);
  }
  return { from: start + DIAGRAM_START.length, to: end };
}

/** What sits between the markers now, trimmed. */
export function extractDiagramBlock(markdown: string): string {
  const { from, to } = markerRange(markdown);
  return markdown.slice(from, to).trim();
}

/** The document with the block between the markers replaced; everything else is kept as is. */
export function replaceDiagramBlock(markdown: string, block: string): string {
  const { from, to } = markerRange(markdown);
  return `${markdown.slice(0, from)}\n${block}\n${markdown.slice(to)}`;
}
