/**
 * A Graphviz DOT digraph drawn from a machine's definition: a point for the start, a rounded
 * box per state (with its invoked actors), compound states as clusters, and one labelled edge
 * per transition. Deterministic: definition order, no clock, no input.
 */
import type { AnyStateMachine } from 'xstate';
import { type MachineGraph, machineGraph, transitionLabel } from './machine-graph.js';

export interface DotOptions {
  /** Append `/ action, …` to edge labels. */
  actions?: boolean;
}

/** A DOT double-quoted string. */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

function renderNodes(graph: MachineGraph, parent: string | null, indent: string, lines: string[]): void {
  for (const state of graph.states.filter((candidate) => candidate.parent === parent)) {
    if (state.type === 'compound' || state.type === 'parallel') {
      lines.push(`${indent}subgraph ${dotString(`cluster_${state.id}`)} {`);
      lines.push(`${indent}  label=${dotString(state.id)};`);
      renderNodes(graph, state.id, `${indent}  `, lines);
      lines.push(`${indent}}`);
      continue;
    }
    const label = [state.id.split('.').at(-1) ?? state.id, ...state.invokes.map((src) => `invoke ${src}`)];
    const shape = state.type === 'final' ? ', peripheries=2' : '';
    lines.push(`${indent}${dotString(state.id)} [label=${dotString(label.join('\n'))}${shape}];`);
  }
}

export function renderDot(machine: AnyStateMachine, options: DotOptions = {}): string {
  const graph = machineGraph(machine);
  const lines = [
    `digraph ${dotString(graph.id)} {`,
    '  rankdir=TB;',
    '  node [shape=box, style=rounded, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
    '  "__start" [shape=point, width=0.15, label=""];',
  ];
  renderNodes(graph, null, '  ', lines);
  if (graph.initial) lines.push(`  "__start" -> ${dotString(graph.initial)};`);
  for (const transition of graph.transitions) {
    const style = transition.internal ? ', style=dashed' : '';
    lines.push(
      `  ${dotString(transition.from)} -> ${dotString(transition.to)} [label=${dotString(transitionLabel(transition, options))}${style}];`,
    );
  }
  lines.push('}');
  return lines.join('\n');
}
