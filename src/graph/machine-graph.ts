/**
 * A state machine's definition read into a plain graph (states, invokes, transitions with
 * readable event and guard labels), which the Mermaid, DOT and JSON renderers draw. Only the
 * definition is read, never a running actor, so drawing needs no clock, no I/O and no input.
 * The order is the definition's order, so the same machine always gives the same graph.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

export interface GraphState {
  /** Path from the root, joined with '.', e.g. `refreshing` or `parent.child`. */
  id: string;
  /** The parent's id, or null for a top-level state. */
  parent: string | null;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** The initial child of a compound state, or null. */
  initial: string | null;
  /** Invoked actors, by `src` (the name given in `setup({ actors })`). */
  invokes: string[];
}

export type TransitionKind = 'event' | 'always' | 'after' | 'done' | 'error';

export interface GraphTransition {
  from: string;
  /** Readable event: `TOKEN_EXPIRED`, `always`, `after refreshAt`, `done: refreshToken`, `error: syncFromCli`. */
  event: string;
  /** The event type as XState names it (`''` for an eventless `always` transition). */
  eventType: string;
  kind: TransitionKind;
  /** Readable guard, e.g. `canRetry` or `isTransientFailure && !canRetry`; null when unguarded. */
  guard: string | null;
  /** Target state id; a targetless transition (actions only) points back at its source. */
  to: string;
  /** True for a targetless transition: the state is not left, only actions run. */
  internal: boolean;
  actions: string[];
}

export interface MachineGraph {
  id: string;
  /** Id of the top-level initial state. */
  initial: string | null;
  states: GraphState[];
  transitions: GraphTransition[];
}

const stateId = (node: AnyStateNode): string => node.path.join('.');

/** `xstate.done.actor.X` → `done: X`, `xstate.after.D.<state>` → `after D` (`after 500ms` when D is a number). */
export function formatEvent(eventType: string, sourceId?: string): string {
  if (eventType === '') return 'always';
  const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType);
  if (actor) return `${actor[1]}: ${actor[2]}`;
  const done = /^xstate\.done\.state\.(.+)$/.exec(eventType);
  if (done) return 'done';
  if (eventType.startsWith('xstate.after.')) {
    let delay = eventType.slice('xstate.after.'.length);
    if (sourceId && delay.endsWith(`.${sourceId}`)) delay = delay.slice(0, -(sourceId.length + 1));
    else delay = delay.split('.')[0] ?? delay;
    return /^\d+$/.test(delay) ? `after ${delay}ms` : `after ${delay}`;
  }
  return eventType;
}

interface HigherOrderGuard {
  (...args: never[]): unknown;
  check?: { name?: string };
  guards?: unknown[];
  stateValue?: unknown;
}

const isCompound = (text: string): boolean => / && | \|\| /.test(text);
const wrap = (text: string): string => (isCompound(text) ? `(${text})` : text);

/**
 * A guard as text. Named guards print by name (`{ type, params }` by its type); XState v5's
 * higher-order guards are functions carrying `.guards` and a `.check` named after the
 * combinator: `and([a, not(b)])` prints `a && !b`, `or` joins with `||`, `stateIn(v)` prints
 * `in(v)`. An inline function prints its name, or `inline`.
 */
export function formatGuard(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const higher = guard as HigherOrderGuard;
    const check = higher.check?.name ?? '';
    if (Array.isArray(higher.guards)) {
      const parts = higher.guards.map((inner) => formatGuard(inner) ?? 'true');
      if (check === 'checkNot') return `!${wrap(parts[0] ?? 'true')}`;
      if (check === 'checkAnd') return parts.map(wrap).join(' && ');
      if (check === 'checkOr') return parts.map(wrap).join(' || ');
      return `${check.replace(/^check/, '').toLowerCase() || 'guard'}(${parts.join(', ')})`;
    }
    if (check === 'checkStateIn') return `in(${JSON.stringify(higher.stateValue)})`;
    return higher.name || 'inline';
  }
  if (typeof guard === 'object' && 'type' in guard) return String((guard as { type: unknown }).type);
  return 'inline';
}

function actionName(action: unknown): string {
  if (typeof action === 'string') return action;
  if (typeof action === 'function') {
    const typed = action as { type?: unknown; name?: string };
    return typeof typed.type === 'string' ? typed.type : typed.name || 'inline';
  }
  if (typeof action === 'object' && action !== null && 'type' in action) {
    return String((action as { type: unknown }).type);
  }
  return 'inline';
}

function invokeSources(node: AnyStateNode): string[] {
  return node.invoke.map((definition) =>
    typeof definition.src === 'string' ? definition.src : (definition.id ?? 'inline'),
  );
}

function kindOf(eventType: string): TransitionKind {
  if (eventType === '') return 'always';
  if (eventType.startsWith('xstate.after.')) return 'after';
  if (eventType.startsWith('xstate.done.')) return 'done';
  if (eventType.startsWith('xstate.error.')) return 'error';
  return 'event';
}

function readTransition(node: AnyStateNode, transition: AnyTransitionDefinition): GraphTransition[] {
  const from = stateId(node);
  const targets = (transition.target ?? []) as AnyStateNode[];
  const base = {
    from,
    event: formatEvent(transition.eventType, node.id),
    eventType: transition.eventType,
    kind: kindOf(transition.eventType),
    guard: formatGuard(transition.guard),
    actions: transition.actions.map(actionName),
  };
  if (targets.length === 0) return [{ ...base, to: from, internal: true }];
  return targets.map((target) => ({ ...base, to: stateId(target), internal: false }));
}

/** Reads every state node (depth first, definition order) and every transition, `always` first. */
export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const states: GraphState[] = [];
  const transitions: GraphTransition[] = [];
  const walk = (node: AnyStateNode, parent: string | null): void => {
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      const id = stateId(child);
      const initialTarget = child.type === 'compound' ? child.initial?.target?.[0] : undefined;
      states.push({
        id,
        parent,
        type: child.type,
        initial: initialTarget ? stateId(initialTarget) : null,
        invokes: invokeSources(child),
      });
      for (const transition of child.always ?? []) transitions.push(...readTransition(child, transition));
      for (const list of child.transitions.values()) {
        for (const transition of list) transitions.push(...readTransition(child, transition));
      }
      walk(child, id);
    }
  };
  walk(machine.root, null);
  const rootInitial = machine.root.initial?.target?.[0];
  return {
    id: machine.id,
    initial: rootInitial ? stateId(rootInitial) : null,
    states,
    transitions,
  };
}

/** `event [guard]`: the label every renderer puts on an edge. */
export function transitionLabel(transition: GraphTransition, options: { actions?: boolean } = {}): string {
  let label = transition.event;
  if (transition.guard) label += ` [${transition.guard}]`;
  if (options.actions && transition.actions.length > 0) label += ` / ${transition.actions.join(', ')}`;
  return label;
}
