/**
 * A loopback TCP proxy the fault tests can cut, one per host in front of redis-server: the
 * network between that host and Redis.
 *
 * - `cut('blackhole')`: a partition. Nothing is forwarded either way and nothing is closed:
 *   bytes sent meanwhile wait (as TCP retransmits them), new connections are accepted and held.
 *   `heal()` delivers what waited, in order, and connects the held connections: a command a
 *   host issued during the partition reaches Redis late, the case fencing and compare-and-set
 *   exist for. A close on one side meanwhile reaches the other side only at `heal()`.
 * - `cut('reset')`: the link refuses. Every connection is reset at once, new ones are reset on
 *   arrival, until `heal()`.
 * - `retarget(port)`: later connections go to another server (a promoted replica), as a
 *   role-checking proxy in front of a Sentinel-managed pair would; `dropAll()` closes the live
 *   ones so clients reconnect there.
 */
import net from 'node:net';

export type CutMode = 'blackhole' | 'reset';

export interface TcpProxy {
  readonly port: number;
  /** `redis://127.0.0.1:<proxy port>`. */
  readonly url: string;
  /** Connections open through the proxy now. */
  readonly connections: number;
  /** The port connections are forwarded to. */
  readonly targetPort: number;
  cut(mode?: CutMode): void;
  heal(): void;
  retarget(port: number): void;
  /** Closes every live connection (both sides). */
  dropAll(): void;
  close(): Promise<void>;
}

interface Link {
  client: net.Socket;
  upstream: net.Socket | null;
  /** Bytes waiting for the partition to heal: towards Redis, towards the client. */
  held: { up: Buffer[]; down: Buffer[] };
  /** A side closed during the partition: close the other at heal. */
  closedDuringCut: boolean;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let target = targetPort;
  let state: 'open' | CutMode = 'open';
  const links = new Set<Link>();

  const destroy = (link: Link) => {
    links.delete(link);
    link.client.destroy();
    link.upstream?.destroy();
  };

  /** A side went away: the other side learns it now, or when the partition heals. */
  const onClose = (link: Link) => {
    if (state === 'blackhole') link.closedDuringCut = true;
    else destroy(link);
  };

  const connectUpstream = (link: Link) => {
    const upstream = net.connect(target, '127.0.0.1');
    link.upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on('connect', () => {
      for (const chunk of link.held.up.splice(0)) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (state === 'open') link.client.write(chunk);
      else link.held.down.push(chunk);
    });
    upstream.on('error', () => undefined);
    upstream.on('close', () => onClose(link));
  };

  const server = net.createServer((client) => {
    if (state === 'reset') {
      client.resetAndDestroy();
      return;
    }
    client.setNoDelay(true);
    const link: Link = { client, upstream: null, held: { up: [], down: [] }, closedDuringCut: false };
    links.add(link);
    client.on('data', (chunk: Buffer) => {
      const upstream = link.upstream;
      if (state === 'open' && upstream && !upstream.connecting) upstream.write(chunk);
      else link.held.up.push(chunk);
    });
    client.on('error', () => undefined);
    client.on('close', () => onClose(link));
    if (state === 'open') connectUpstream(link);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get connections() {
      return links.size;
    },
    get targetPort() {
      return target;
    },
    cut(mode = 'blackhole') {
      state = mode;
      if (mode === 'reset') {
        for (const link of [...links]) {
          links.delete(link);
          link.client.resetAndDestroy();
          link.upstream?.resetAndDestroy();
        }
      }
    },
    heal() {
      state = 'open';
      for (const link of [...links]) {
        if (link.closedDuringCut) {
          destroy(link);
          continue;
        }
        if (!link.upstream) {
          connectUpstream(link); // held since the cut; its bytes go out on connect
          continue;
        }
        if (!link.upstream.connecting) for (const chunk of link.held.up.splice(0)) link.upstream.write(chunk);
        for (const chunk of link.held.down.splice(0)) link.client.write(chunk);
      }
    },
    retarget(nextPort) {
      target = nextPort;
    },
    dropAll() {
      for (const link of [...links]) destroy(link);
    },
    async close() {
      for (const link of [...links]) destroy(link);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
