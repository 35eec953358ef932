/**
 * One rotation-agent child process seen from the parent: spawned as plain node on the bundled
 * worker, messages collected, `next(type)` resolving with the next message of a type (or
 * rejecting when the child exits first), stderr kept for failure messages.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { AgentMessage, ParentMessage } from './rotation-agent.js';

export interface Agent {
  child: ChildProcess;
  messages: AgentMessage[];
  /** Resolves with the next message of `type`. */
  next<T extends AgentMessage['type']>(type: T): Promise<Extract<AgentMessage, { type: T }>>;
  send(message: ParentMessage): void;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** Starts `node <bundle> ...args` with an IPC channel; `id` names it in errors. */
export function startAgent(
  bundleFile: string,
  args: readonly string[],
  id: string,
  env: NodeJS.ProcessEnv = process.env,
): Agent {
  const child = spawn(process.execPath, [bundleFile, ...args], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env,
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const messages: AgentMessage[] = [];
  const waiters: Array<{ type: string; resolve: (message: AgentMessage) => void }> = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.on('message', (message: AgentMessage) => {
    messages.push(message);
    const index = waiters.findIndex((waiter) => waiter.type === message.type);
    if (index >= 0) waiters.splice(index, 1)[0]?.resolve(message);
  });
  return {
    child,
    messages,
    next: (type) =>
      new Promise((resolve, reject) => {
        waiters.push({ type, resolve: resolve as (message: AgentMessage) => void });
        void exited.then((code) =>
          reject(new Error(`agent ${id} exited (${code}) waiting for ${type}: ${stderr}`)),
        );
      }),
    send: (message) => child.send(message),
    exited,
    stderr: () => stderr,
  };
}
