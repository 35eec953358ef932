/** A Server-Sent Events reader for tests: the raw text received, and the parsed messages. */
import { get } from 'node:http';
import { createArrivals } from '../../support/wait-for.js';

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
      const messages: SseMessage[] = [];
      const arrivals = createArrivals();
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
            messages.push({
              event: fields.get('event') ?? 'message',
              id: fields.get('id'),
              data: JSON.parse(data),
            });
          }
        }
        arrivals.notify();
      });
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        raw: () => raw,
        messages,
        async waitFor(predicate, timeoutMs = 10_000) {
          await arrivals.waitFor({
            condition: () => predicate(messages),
            timeoutMs,
            timeoutMessage: () => `timed out after ${timeoutMs} ms with ${messages.length} messages`,
          });
          return messages;
        },
        close() {
          request.destroy();
        },
      });
    });
    request.on('error', reject);
  });
}
