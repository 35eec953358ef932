/**
 * The Stately relay under abuse by a local client holding the URL: a ping flood from a client
 * that never reads the pongs, and a viewer that stops reading the frames. Before, the relay
 * answered every ping and buffered without bound (69 → 580 MiB in 30 s); now the flooder is
 * dropped and the unsent bytes stay under the cap. Asserted on the relay's own counters.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor, setup } from 'xstate';
import { connectStatelyInspector, type StatelyInspector } from '../../src/inspect/stately.js';
import { clientFrame, OPCODE_PING, openRawViewer } from './support/raw-viewer.js';

let stately: StatelyInspector | undefined;
afterEach(async () => {
  await stately?.stop();
  stately = undefined;
});

const LIMIT = 64 * 1024;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('Stately relay limits', () => {
  it('drops a client that floods pings without reading, and never buffers past the cap', async () => {
    stately = connectStatelyInspector({ maxBufferedBytes: LIMIT });
    await stately.ready;
    const flooder = await openRawViewer(stately.viewerUrl as string);
    flooder.on('error', () => undefined);
    flooder.pause(); // never reads a pong
    await vi.waitFor(() => expect(stately?.stats().viewers).toBe(1));

    const ping = clientFrame(OPCODE_PING, Buffer.alloc(125, 0x61));
    const burst = Buffer.concat(Array.from({ length: 80 }, () => ping)); // 10 KB a write
    let peak = 0;
    let sent = 0;
    // 40 000 pings (5 MB of pongs) unless the relay drops us first.
    for (let round = 0; round < 500 && !flooder.destroyed && stately.stats().viewers > 0; round++) {
      flooder.write(burst);
      sent += 80;
      await nextTurn();
      peak = Math.max(peak, stately.stats().bufferedBytes);
    }
    await vi.waitFor(() => expect(stately?.stats().viewers).toBe(0));
    expect(peak).toBeLessThanOrEqual(LIMIT);
    expect(sent).toBeLessThan(40_000);
    flooder.destroy();
  });

  it('keeps a viewer that pings now and then', async () => {
    stately = connectStatelyInspector();
    await stately.ready;
    const viewer = await openRawViewer(stately.viewerUrl as string);
    let pongs = 0;
    viewer.on('data', (chunk: Buffer) => {
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x8a) pongs++;
    });
    for (let i = 0; i < 5; i++) viewer.write(clientFrame(OPCODE_PING, Buffer.from('hi')));
    await vi.waitFor(() => expect(pongs).toBe(5));
    expect(stately.stats().viewers).toBe(1);
    viewer.destroy();
  });

  it('drops a viewer that stops reading once its unsent frames pass the cap', async () => {
    stately = connectStatelyInspector({ maxBufferedBytes: LIMIT });
    await stately.ready;
    const slow = await openRawViewer(stately.viewerUrl as string);
    slow.on('error', () => undefined);
    slow.pause();
    await vi.waitFor(() => expect(stately?.stats().viewers).toBe(1));
    // Large events relayed to the viewer: each frame carries ~16 KB of context.
    const machine = setup({}).createMachine({
      id: 'big',
      context: { note: 'x'.repeat(16 * 1024) },
      initial: 'a',
      states: { a: { on: { GO: 'b' } }, b: { on: { GO: 'a' } } },
    });
    const actor = createActor(machine, { inspect: stately.inspect }).start();
    let peak = 0;
    for (let round = 0; round < 2000 && stately.stats().viewers > 0; round++) {
      actor.send({ type: 'GO' });
      await nextTurn();
      peak = Math.max(peak, stately.stats().bufferedBytes);
    }
    expect(stately.stats().viewers).toBe(0);
    expect(peak).toBeLessThanOrEqual(LIMIT);
    actor.stop();
    slow.destroy();
  });
});
