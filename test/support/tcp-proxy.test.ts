/**
 * The partition proxy must do what the fault tests say it does: a blackhole holds bytes both
 * ways and delivers them, in order, at the heal; a reset refuses; a retarget sends new
 * connections elsewhere.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy } from './tcp-proxy.js';

const servers: net.Server[] = [];
/** An echo server that prefixes every answer with its name. */
async function echo(name: string): Promise<number> {
  const server = net.createServer((socket) => socket.on('data', (chunk) => socket.write(`${name}:${chunk}`)));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}
let a: number;
let b: number;
beforeAll(async () => {
  [a, b] = await Promise.all([echo('a'), echo('b')]);
});
afterAll(() => {
  for (const server of servers) server.close();
});

function connect(
  port: number,
): Promise<{ socket: net.Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = net.connect(port, '127.0.0.1', () =>
      resolve({
        socket,
        received: () => text,
        closed: new Promise((done) => socket.on('close', () => done())),
      }),
    );
    socket.on('data', (chunk) => {
      text += chunk;
      socket.emit('arrived');
    });
    socket.once('error', reject);
  });
}
const until = (socket: net.Socket, check: () => boolean) =>
  new Promise<void>((resolve) => {
    if (check()) return resolve();
    const on = () => {
      if (!check()) return;
      socket.off('arrived', on);
      resolve();
    };
    socket.on('arrived', on);
  });

describe('tcp proxy', () => {
  it('blackhole holds bytes both ways and delivers them in order at the heal', async () => {
    const proxy = await startTcpProxy(a);
    const client = await connect(proxy.port);
    client.socket.write('1');
    await until(client.socket, () => client.received() === 'a:1');
    proxy.cut('blackhole');
    client.socket.write('2');
    const late = await connect(proxy.port); // accepted and held
    late.socket.write('x');
    // Round trips through the proxy's own event loop: nothing may have come back meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.received()).toBe('a:1');
    expect(late.received()).toBe('');
    proxy.heal();
    await until(client.socket, () => client.received() === 'a:1a:2');
    await until(late.socket, () => late.received() === 'a:x');
    client.socket.destroy();
    late.socket.destroy();
    await proxy.close();
  });

  it('reset closes live connections and refuses new ones until the heal; retarget moves new ones', async () => {
    const proxy = await startTcpProxy(a);
    const client = await connect(proxy.port);
    proxy.cut('reset');
    await client.closed;
    // Accepted, then reset: the client sees the connection fail or close, never an answer.
    await new Promise<void>((resolve) => {
      const refused = net.connect(proxy.port, '127.0.0.1', () => refused.write('z'));
      refused.on('data', () => resolve(Promise.reject(new Error('answered during a reset cut'))));
      refused.on('error', () => undefined);
      refused.on('close', () => resolve());
    });
    proxy.heal();
    proxy.retarget(b);
    const moved = await connect(proxy.port);
    moved.socket.write('y');
    await until(moved.socket, () => moved.received() === 'b:y');
    proxy.dropAll();
    await moved.closed;
    await proxy.close();
  });
});
