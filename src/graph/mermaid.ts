/**
 * A Mermaid `stateDiagram-v2` drawn from a machine's definition: `[*] --> initial`, every
 * state (invoked actors as the state's description, compound states as blocks), and every
 * transition labelled `event [guard]`. Deterministic: definition order, no clock, no input.
 */
import type { AnyStateMachine } from 'xstate';
import { type GraphState, type MachineGraph, machineGraph, transitionLabel } from './machine-graph.js';

export interface MermaidOptions {
  /** Append `/ action, …` to labels. Off by default: the diagram tells the flow, the prose the effects. */
  actions?: boolean;
}

/** Mermaid ends a statement at `;` or a newline, so both become spaces in a label (`:` is fine). */
export function mermaidText(text: string): string {
  return text.replace(/[;\n\r]+/g, ' ');
}

/** Mermaid state ids: letters, digits and `_` (a nested path's dots become `__`). */
export function mermaidId(stateId: string): string {
  return stateId.replace(/\./g, '__').replace(/[^A-Za-z0-9_]/g, '_');
}

function renderStates(graph: MachineGraph, parent: string | null, indent: string, lines: string[]): void {
  const children = graph.states.filter((state) => state.parent === parent);
  for (const state of children) {
    const id = mermaidId(state.id);
    if (state.type === 'compound' || state.type === 'parallel') {
      lines.push(`${indent}state ${id} {`);
      if (state.initial) lines.push(`${indent}  [*] --> ${mermaidId(state.initial)}`);
      renderStates(graph, state.id, `${indent}  `, lines);
      lines.push(`${indent}}`);
    }
    describeState(state, indent, lines);
    if (state.type === 'final') lines.push(`${indent}${id} --> [*]`);
  }
}

function describeState(state: GraphState, indent: string, lines: string[]): void {
  for (const src of state.invokes)
    lines.push(`${indent}${mermaidId(state.id)} : ${mermaidText(`invoke ${src}`)}`);
}

export function renderMermaid(machine: AnyStateMachine, options: MermaidOptions = {}): string {
  const graph = machineGraph(machine);
  const lines = ['stateDiagram-v2'];
  if (graph.initial) lines.push(`  [*] --> ${mermaidId(graph.initial)}`);
  renderStates(graph, null, '  ', lines);
  for (const transition of graph.transitions) {
    const label = mermaidText(transitionLabel(transition, options));
    lines.push(`  ${mermaidId(transition.from)} --> ${mermaidId(transition.to)} : ${label}`);
  }
  return lines.join('\n');
}
