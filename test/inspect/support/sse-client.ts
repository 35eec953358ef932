/** A Server-Sent Events reader for tests: the raw text received, and the parsed messages. */
import { get } from 'node:http';
import { createMessageLog } from '../../support/wait-for.js';

export interface SseMessage {
  event: string;
  id: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: tests read the payloads loosely.
  data: any;
}

export interface TestEventStream {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Everything received, byte for byte (decoded as UTF-8). */
  readonly raw: () => string;
  readonly messages: SseMessage[];
  waitFor(predicate: (messages: SseMessage[]) => boolean, timeoutMs?: number): Promise<SseMessage[]>;
  close(): void;
}

export function openEventStream(url: string): Promise<TestEventStream> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers: { accept: 'text/event-stream' } }, (response) => {
      let raw = '';
      let pending = '';
      const log = createMessageLog<SseMessage>();
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        raw += chunk;
        pending += chunk;
        let boundary = pending.indexOf('\n\n');
        while (boundary !== -1) {
          const block = pending.slice(0, boundary);
          pending = pending.slice(boundary + 2);
          boundary = pending.indexOf('\n\n');
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            if (line.startsWith(':') || !line.includes(':')) continue;
            const key = line.slice(0, line.indexOf(':'));
            fields.set(key, line.slice(line.indexOf(':') + 1).trimStart());
          }
          const data = fields.get('data');
          if (data !== undefined) {
            log.messages.push({
              event: fields.get('event') ?? 'message',
              id: fields.get('id'),
              data: JSON.parse(data),
            });
          }
        }
        log.notify();
      });
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        raw: () => raw,
        messages: log.messages,
        waitFor: log.waitFor,
        close() {
          request.destroy();
        },
      });
    });
    request.on('error', reject);
  });
}
