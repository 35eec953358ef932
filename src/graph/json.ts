/**
 * The machine's graph as JSON for tools: `{ id, initial, states, transitions }`, each
 * transition `{ from, event, guard, to, … }` with readable labels (see machine-graph.ts).
 */
import type { AnyStateMachine } from 'xstate';
import { machineGraph } from './machine-graph.js';

/** Pretty-printed (two spaces), deterministic JSON of `machineGraph(machine)`. */
export function renderGraphJson(machine: AnyStateMachine): string {
  return JSON.stringify(machineGraph(machine), null, 2);
}
