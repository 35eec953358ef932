/** Drawing the recovery machine from its definition: Mermaid for docs, DOT and JSON for tools. */
export {
  DIAGRAM_COMMAND,
  DIAGRAM_END,
  DIAGRAM_START,
  diagramBlock,
  extractDiagramBlock,
  replaceDiagramBlock,
} from './doc-block.js';
export { dotString, renderDot } from './dot.js';
export { renderGraphJson } from './json.js';
export {
  formatEvent,
  formatGuard,
  type GraphState,
  type GraphTransition,
  type MachineGraph,
  machineGraph,
  type TransitionKind,
  transitionLabel,
} from './machine-graph.js';
export { type MermaidOptions, mermaidId, mermaidText, renderMermaid } from './mermaid.js';

/** The formats `oauth-recovery graph --format` accepts. */
export const GRAPH_FORMATS = ['mermaid', 'dot', 'json'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];
