/**
 * The graph renderers: every state and every transition of the recovery machine appears,
 * guards, delays and invokes are labelled, output is deterministic, and the DOT and JSON
 * shapes hold. A small nested machine covers what the recovery machine does not use.
 */
import { describe, expect, it } from 'vitest';
import { and, createMachine, not, or, setup, stateIn } from 'xstate';
import { createRecoveryMachine } from '../../machines/index.js';
import {
  dotString,
  formatEvent,
  formatGuard,
  type MachineGraph,
  machineGraph,
  mermaidId,
  mermaidText,
  renderDot,
  renderGraphJson,
  renderMermaid,
} from '../../src/graph/index.js';
import { RECOVERY_STATES } from '../support/recovery-states.js';

const machine = createRecoveryMachine({ now: () => 0 });
const STATES = RECOVERY_STATES;

/** Every transition the definition holds, counted without the renderer's help. */
function definitionEdgeCount(): number {
  let count = 0;
  for (const node of Object.values(machine.root.states)) {
    count += node.always?.length ?? 0;
    for (const list of node.transitions.values()) count += list.length;
  }
  return count;
}

describe('renderMermaid (recovery machine)', () => {
  const text = renderMermaid(machine);
  const lines = text.split('\n');
  const edges = lines.filter((line) => line.includes(' --> ') && !line.includes('[*]'));

  it('is a stateDiagram-v2 that starts at initializing', () => {
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines[1]).toBe('  [*] --> initializing');
  });

  it('names every state', () => {
    for (const state of STATES) expect(text).toMatch(new RegExp(`^  ${state} `, 'm'));
  });

  it('draws every transition once, always transitions included', () => {
    expect(definitionEdgeCount()).toBe(38);
    expect(edges).toHaveLength(38);
    expect(new Set(edges).size).toBe(38);
  });

  it.each([
    '  initializing --> cooldown : always [isCoolingDown]',
    '  initializing --> valid : always [hasFreshToken]',
    '  initializing --> expired : always',
    '  valid --> expired : TOKEN_EXPIRED',
    '  valid --> expired : AUTH_REJECTED',
    '  valid --> syncingFromCli : CREDENTIALS_CHANGED',
    '  valid --> syncingFromCli : SYNC_REQUESTED',
    '  valid --> expired : after refreshAt',
    '  valid --> cooldown : AUTH_REJECTED [refreshDoesNotHelp]',
    '  valid --> valid : TOKEN_ACCEPTED',
    '  expired --> refreshing : always [mayRequestToken]',
    '  expired --> throttled : always',
    '  throttled --> refreshing : after refreshThrottle',
    '  throttled --> syncingFromCli : CREDENTIALS_CHANGED',
    '  refreshing --> refreshing : AUTH_REJECTED',
    '  refreshing --> ok : done: refreshToken',
    '  refreshing --> refreshFailed : error: refreshToken',
    '  refreshFailed --> syncingFromCli : always [isPermanentFailure]',
    '  refreshFailed --> syncingFromCli : always [isTransientFailure && !canRetry]',
    '  refreshFailed --> refreshing : after retryBackoff [canRetry]',
    '  syncingFromCli --> retrying : done: syncFromCli [isCliFresher]',
    '  syncingFromCli --> valid : done: syncFromCli [isStillValid]',
    '  syncingFromCli --> cooldown : done: syncFromCli',
    '  syncingFromCli --> valid : error: syncFromCli [isStillValid]',
    '  syncingFromCli --> cooldown : error: syncFromCli',
    '  retrying --> ok : always [!hasPendingCalls]',
    '  retrying --> syncingFromCli : done: retryPendingCalls [wasRejectedAgainWithRetriesLeft]',
    '  retrying --> cooldown : done: retryPendingCalls [wasRejectedAgain]',
    '  retrying --> ok : done: retryPendingCalls',
    '  retrying --> ok : error: retryPendingCalls',
    '  ok --> valid : always',
    '  cooldown --> syncingFromCli : CREDENTIALS_CHANGED',
    '  cooldown --> expired : after cooldownDelay',
  ])('%s', (line) => {
    expect(lines).toContain(line);
  });

  it('describes invoking states with their actor', () => {
    expect(lines).toContain('  refreshing : invoke refreshToken');
    expect(lines).toContain('  syncingFromCli : invoke syncFromCli');
    expect(lines).toContain('  retrying : invoke retryPendingCalls');
  });

  it('is deterministic across machine instances and clocks', () => {
    expect(renderMermaid(createRecoveryMachine({ now: () => 123, random: () => 0.7 }))).toBe(text);
    expect(renderMermaid(machine)).toBe(text);
  });

  it('can append actions to labels', () => {
    const withActions = renderMermaid(machine, { actions: true });
    expect(withActions).toContain('  refreshing --> ok : done: refreshToken / adoptRefreshed, emitRefreshed');
    expect(withActions).toContain('  refreshing --> refreshing : AUTH_REJECTED / countPendingCall');
    expect(withActions).toContain('  valid --> expired : TOKEN_EXPIRED\n');
  });

  it('holds no statement breakers in labels', () => {
    for (const line of lines.slice(1)) expect(line).not.toMatch(/;/);
  });
});

describe('formatEvent', () => {
  it.each([
    ['', 'always'],
    ['TOKEN_EXPIRED', 'TOKEN_EXPIRED'],
    ['xstate.done.actor.refreshToken', 'done: refreshToken'],
    ['xstate.error.actor.syncFromCli', 'error: syncFromCli'],
    ['xstate.done.state.recovery.parent', 'done'],
    ['*', '*'],
  ])('%j → %s', (eventType, label) => {
    expect(formatEvent(eventType)).toBe(label);
  });

  it('names a delay, cutting the state id off', () => {
    expect(formatEvent('xstate.after.refreshAt.recovery.valid', 'recovery.valid')).toBe('after refreshAt');
    expect(formatEvent('xstate.after.1500.m.a.b', 'm.a.b')).toBe('after 1500ms');
    expect(formatEvent('xstate.after.retryBackoff.x.y')).toBe('after retryBackoff');
  });
});

describe('formatGuard', () => {
  it.each<[string, unknown, string | null]>([
    ['none', undefined, null],
    ['a name', 'canRetry', 'canRetry'],
    ['a parameterised guard', { type: 'isAbove', params: { n: 1 } }, 'isAbove'],
    ['not', not('canRetry'), '!canRetry'],
    ['and', and(['a', 'b', 'c']), 'a && b && c'],
    ['or', or(['a', 'b']), 'a || b'],
    ['and with not', and(['isTransientFailure', not('canRetry')]), 'isTransientFailure && !canRetry'],
    ['or inside and', and(['a', or(['b', 'c'])]), 'a && (b || c)'],
    ['not of and', not(and(['a', 'b'])), '!(a && b)'],
    ['stateIn', stateIn('cooldown'), 'in("cooldown")'],
    [
      'a named function',
      function isLate() {
        return true;
      },
      'isLate',
    ],
    [
      'an anonymous function',
      (
        () => () =>
          true
      )(),
      'inline',
    ],
  ])('%s', (_name, guard, text) => {
    expect(formatGuard(guard)).toBe(text);
  });
});

describe('escaping', () => {
  it('mermaid: semicolons and newlines become spaces, ids lose dots', () => {
    expect(mermaidText('a; b\nc')).toBe('a  b c');
    expect(mermaidText('done: x [a && !b]')).toBe('done: x [a && !b]');
    expect(mermaidId('parent.child-1')).toBe('parent__child_1');
  });

  it('dot: quotes, backslashes and newlines are escaped', () => {
    expect(dotString('say "hi"\\ now\nplease')).toBe('"say \\"hi\\"\\\\ now\\nplease"');
  });
});

const nested = setup({
  guards: { ready: () => true, late: () => false },
  actions: { log: () => {} },
}).createMachine({
  id: 'job',
  initial: 'idle',
  states: {
    idle: { on: { START: { target: 'working', guard: or(['ready', 'late']) } } },
    working: {
      initial: 'fetching',
      states: {
        fetching: { after: { 1500: 'parsing' } },
        parsing: { on: { PARSED: 'finished' } },
        finished: { type: 'final' },
      },
      onDone: { target: 'done' },
      on: { CANCEL: { target: 'idle', actions: 'log' } },
    },
    done: { type: 'final' },
  },
});

describe('nested machines', () => {
  it('mermaid draws compound states as blocks with their own start, and final states', () => {
    const text = renderMermaid(nested);
    expect(text).toBe(
      [
        'stateDiagram-v2',
        '  [*] --> idle',
        '  state working {',
        '    [*] --> working__fetching',
        '    working__finished --> [*]',
        '  }',
        '  done --> [*]',
        '  idle --> working : START [ready || late]',
        '  working --> idle : CANCEL',
        '  working --> done : done',
        '  working__fetching --> working__parsing : after 1500ms',
        '  working__parsing --> working__finished : PARSED',
      ].join('\n'),
    );
  });

  it('dot draws compound states as clusters and final states doubled', () => {
    const dot = renderDot(nested);
    expect(dot).toContain('subgraph "cluster_working" {');
    expect(dot).toContain('    "working.fetching" [label="fetching"];');
    expect(dot).toContain('"done" [label="done", peripheries=2];');
    expect(dot).toContain('"working.fetching" -> "working.parsing" [label="after 1500ms"];');
  });

  it('the graph knows parents, types and initial children', () => {
    const graph = machineGraph(nested);
    expect(graph.states.find((state) => state.id === 'working')).toEqual({
      id: 'working',
      parent: null,
      type: 'compound',
      initial: 'working.fetching',
      invokes: [],
    });
    expect(graph.states.find((state) => state.id === 'working.finished')?.type).toBe('final');
  });

  it('handles a machine with no states', () => {
    expect(renderMermaid(createMachine({ id: 'empty' }))).toBe('stateDiagram-v2');
    expect(machineGraph(createMachine({ id: 'empty' }))).toEqual({
      id: 'empty',
      initial: null,
      states: [],
      transitions: [],
    });
  });
});

describe('renderDot (recovery machine)', () => {
  const dot = renderDot(machine);
  const lines = dot.split('\n');

  it('is one digraph with a start point and a node per state', () => {
    expect(lines[0]).toBe('digraph "recovery" {');
    expect(lines.at(-1)).toBe('}');
    expect(lines).toContain('  "__start" -> "initializing";');
    for (const state of STATES) expect(dot).toMatch(new RegExp(`^  "${state}" \\[label=`, 'm'));
    expect(lines).toContain('  "refreshing" [label="refreshing\\ninvoke refreshToken"];');
  });

  it('has an edge per transition; action-only ones are dashed', () => {
    const edges = lines.filter((line) => line.includes(' -> ') && !line.includes('__start'));
    expect(edges).toHaveLength(38);
    expect(lines).toContain(
      '  "refreshFailed" -> "syncingFromCli" [label="always [isTransientFailure && !canRetry]"];',
    );
    expect(lines).toContain('  "refreshing" -> "refreshing" [label="AUTH_REJECTED", style=dashed];');
    expect(lines).toContain('  "cooldown" -> "expired" [label="after cooldownDelay"];');
  });

  it('is deterministic', () => {
    expect(renderDot(createRecoveryMachine())).toBe(dot);
  });
});

describe('renderGraphJson (recovery machine)', () => {
  const graph = JSON.parse(renderGraphJson(machine)) as MachineGraph;

  it('lists every state and transition', () => {
    expect(graph.id).toBe('recovery');
    expect(graph.initial).toBe('initializing');
    expect(graph.states.map((state) => state.id)).toEqual(STATES);
    expect(graph.transitions).toHaveLength(38);
    for (const transition of graph.transitions) {
      expect(Object.keys(transition).sort()).toEqual(
        ['actions', 'event', 'eventType', 'from', 'guard', 'internal', 'kind', 'to'].sort(),
      );
      expect(STATES).toContain(transition.from);
      expect(STATES).toContain(transition.to);
    }
  });

  it('labels events, guards and kinds', () => {
    expect(graph.transitions).toContainEqual({
      from: 'refreshFailed',
      event: 'after retryBackoff',
      eventType: 'xstate.after.retryBackoff.recovery.refreshFailed',
      kind: 'after',
      guard: 'canRetry',
      to: 'refreshing',
      internal: false,
      actions: ['countAttempt'],
    });
    expect(graph.transitions).toContainEqual({
      from: 'retrying',
      event: 'always',
      eventType: '',
      kind: 'always',
      guard: '!hasPendingCalls',
      to: 'ok',
      internal: false,
      actions: [],
    });
    expect(graph.transitions).toContainEqual(
      expect.objectContaining({ from: 'refreshing', event: 'error: refreshToken', kind: 'error' }),
    );
    expect(graph.transitions).toContainEqual(
      expect.objectContaining({ from: 'syncingFromCli', event: 'AUTH_REJECTED', internal: true }),
    );
    expect(graph.states.find((state) => state.id === 'retrying')?.invokes).toEqual(['retryPendingCalls']);
  });

  it('is deterministic, pretty-printed JSON', () => {
    expect(renderGraphJson(createRecoveryMachine())).toBe(renderGraphJson(machine));
    expect(renderGraphJson(machine)).toContain('\n  "states": [');
  });
});
