/**
 * Edge identity for coverage: (source state, event or always[i], branch, target). Expected
 * edges come from `toDirectedGraph` plus the eventless `always` transitions it omits;
 * visited edges come from the real actor's `@xstate.microstep` inspection events.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { toDirectedGraph } from 'xstate/graph';

type DirectedNode = ReturnType<typeof toDirectedGraph>;

export function edgeKey(transition: AnyTransitionDefinition): string {
  const source = transition.source as AnyStateNode;
  const targets = (transition.target ?? [source]).map((node: AnyStateNode) => node.id).join(',');
  if (transition.eventType === '') {
    const index = source.always?.indexOf(transition) ?? -1;
    return `${source.id} --always[${index}]--> ${targets}`;
  }
  const branches = source.transitions.get(transition.eventType) ?? [];
  return `${source.id} --${transition.eventType}[${branches.indexOf(transition)}]--> ${targets}`;
}

export function allStateIds(machine: AnyStateMachine): string[] {
  const ids: string[] = [];
  const walk = (node: AnyStateNode): void => {
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      ids.push(child.id);
      walk(child);
    }
  };
  walk(machine.root);
  return ids.sort();
}

export function expectedEdges(machine: AnyStateMachine): string[] {
  const keys = new Set<string>();
  const walkGraph = (node: DirectedNode): void => {
    for (const edge of node.edges) keys.add(edgeKey(edge.transition));
    node.children.forEach(walkGraph);
  };
  walkGraph(toDirectedGraph(machine));
  const walkAlways = (node: AnyStateNode): void => {
    for (const transition of node.always ?? []) keys.add(edgeKey(transition));
    for (const child of Object.values(node.states) as AnyStateNode[]) walkAlways(child);
  };
  walkAlways(machine.root);
  return [...keys].sort();
}
