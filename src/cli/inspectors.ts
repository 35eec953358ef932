/**
 * Opens the inspectors for `inspect` and `demo --inspect`: the offline inspector page
 * (src/inspect/offline-server.ts, a loopback page for air-gapped hosts) and, on request, the
 * Stately inspector (src/inspect/stately.ts, a loopback relay + bridge page embedding
 * stately.ai/inspect). Both are imported lazily, so other commands never load them. Inspectors
 * only ever receive sanitized, token-free inspection events.
 */
import type { InspectionEvent } from 'xstate';
import type { InspectOption } from '../inspect/types.js';

export interface InspectorsOptions {
  port?: number;
  host?: string;
  /** Also connect the Stately inspector (its UI loads from stately.ai in the browser). */
  stately?: boolean;
}

export interface OpenInspectors {
  /** Fans every event out to each open inspector. */
  observer: InspectOption;
  /** The offline page. */
  url: string;
  /** The Stately bridge page, when `stately` was asked for. */
  statelyUrl: string | undefined;
  close(): Promise<void>;
}

function emit(observer: InspectOption, event: InspectionEvent): void {
  if (typeof observer === 'function') observer(event);
  else observer.next?.(event);
}

export async function openInspectors(options: InspectorsOptions = {}): Promise<OpenInspectors> {
  const { startOfflineInspector } = await import('../inspect/offline-server.js');
  const offline = await startOfflineInspector({
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
  });
  const observers: InspectOption[] = [offline.observer];
  const closers: Array<() => Promise<void>> = [() => offline.close()];
  let statelyUrl: string | undefined;
  if (options.stately) {
    try {
      const { connectStatelyInspector } = await import('../inspect/stately.js');
      const stately = connectStatelyInspector(options.host !== undefined ? { host: options.host } : {});
      closers.push(() => stately.stop());
      statelyUrl = await stately.ready;
      observers.push(stately.inspect);
    } catch (error) {
      for (const close of closers.reverse()) await close().catch(() => undefined);
      throw error;
    }
  }
  return {
    url: offline.url,
    statelyUrl,
    observer: (event: InspectionEvent) => {
      for (const observer of observers) emit(observer, event);
    },
    async close() {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    },
  };
}
