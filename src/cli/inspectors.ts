/**
 * Opens the inspectors for `inspect` and `demo --inspect`: the offline inspector page
 * (`src/inspect/offline-server.ts`, a local HTTP page for air-gapped hosts) and, on request,
 * the online Stately inspector (`src/inspect/stately.ts`). Both are loaded lazily, so the rest
 * of the CLI never pays for them and still works in a build without them. Every observer
 * receives sanitized inspection events (the runtime sanitizes before any inspector sees one).
 */
import type { InspectionEvent } from 'xstate';
import type { InspectOption } from '../inspect/types.js';

export interface InspectorsOptions {
  port?: number;
  host?: string;
  /** Also connect the online Stately inspector (needs a browser and network access). */
  stately?: boolean;
}

export interface OpenInspectors {
  observer: InspectOption;
  /** The offline page's URL. */
  url: string;
  close(): Promise<void>;
}

interface OfflineInspectorModule {
  startOfflineInspector(options: { port?: number; host?: string }): Promise<{
    url: string;
    observer: InspectOption;
    close(): Promise<void> | void;
  }>;
}

interface StatelyInspectorModule {
  connectStatelyInspector(): unknown;
}

// Specifiers in variables: the modules are optional at build time and loaded only when asked for.
const OFFLINE_MODULE = '../inspect/offline-server.js';
const STATELY_MODULE = '../inspect/stately.js';

async function loadOptional<T>(specifier: string, what: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND') {
      throw Object.assign(new Error(`the ${what} is not part of this build (${specifier} is missing)`), {
        code: 'INSPECTOR_UNAVAILABLE',
      });
    }
    throw error;
  }
}

function emit(observer: InspectOption, event: InspectionEvent): void {
  if (typeof observer === 'function') observer(event);
  else observer.next?.(event);
}

/** Reads whatever `connectStatelyInspector()` returns: an observer, or `{ inspect | observer, stop | close }`. */
function asObserver(value: unknown): { observer: InspectOption | undefined; close: () => Promise<void> } {
  if (typeof value === 'function') return { observer: value as InspectOption, close: async () => undefined };
  const object = (value ?? {}) as Record<string, unknown>;
  const observer = (object.inspect ??
    object.observer ??
    (typeof object.next === 'function' ? object : undefined)) as InspectOption | undefined;
  const stop = (object.stop ?? object.close) as (() => unknown) | undefined;
  return { observer, close: async () => void (await stop?.call(value)) };
}

export async function openInspectors(options: InspectorsOptions = {}): Promise<OpenInspectors> {
  const offlineModule = await loadOptional<OfflineInspectorModule>(OFFLINE_MODULE, 'offline inspector');
  const offline = await offlineModule.startOfflineInspector({
    ...(options.port !== undefined ? { port: options.port } : {}),
    host: options.host ?? '127.0.0.1',
  });
  const observers: InspectOption[] = [offline.observer];
  const closers: Array<() => Promise<void> | void> = [() => offline.close()];
  if (options.stately) {
    const statelyModule = await loadOptional<StatelyInspectorModule>(STATELY_MODULE, 'Stately inspector');
    const stately = asObserver(await statelyModule.connectStatelyInspector());
    if (stately.observer) observers.push(stately.observer);
    closers.push(stately.close);
  }
  return {
    url: offline.url,
    observer: (event: InspectionEvent) => {
      for (const observer of observers) emit(observer, event);
    },
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}
