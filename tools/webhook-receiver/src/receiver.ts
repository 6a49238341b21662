// A webhook receiver as a careful service writes one: it checks the signature
// (when it has the secret), takes each Idempotency-Key's effect once and
// answers a repeat with 200, and records everything it saw. Tests script its
// answers: fail with a status, answer late, never answer, drop the
// connection, or go down altogether (connection refused) and come back.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { signatureValid } from './signature.ts';

export interface Received {
  /** Date.now() when the request arrived. */
  at: number;
  idempotencyKey: string;
  table: string;
  op: string;
  key: Record<string, unknown>;
  row: Record<string, unknown> | null;
  version: string;
  body: string;
  headers: http.IncomingHttpHeaders;
  signature: 'valid' | 'invalid' | 'unsigned';
  /** Its Idempotency-Key was taken before: answered 200, no second effect. */
  duplicate: boolean;
}

export type Answer =
  /** `processed`: the effect is taken although the answer says otherwise (a receiver that committed, then failed). */
  | { status: number; delayMs?: number; headers?: Record<string, string>; processed?: boolean }
  /** Never answer: the sender's timeout ends it. */
  | 'hang'
  /** Drop the connection without an answer. */
  | 'reset';

export type Behaviour = (r: Received) => Answer;

export interface WebhookReceiver {
  url: string;
  port: number;
  /** Every request, in arrival order. */
  readonly requests: Received[];
  /** One per Idempotency-Key: the effects a receiver that deduplicates takes. */
  readonly effects: Received[];
  /** Most requests it had open at once. */
  readonly maxInFlight: number;
  /** How it answers what is not a duplicate (default 200). */
  answer: Behaviour;
  /** Called with each effect as it is taken. */
  onEffect?: (r: Received) => void;
  /** Stop listening and drop open connections: senders get "connection refused". */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

const header = (h: http.IncomingHttpHeaders, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

export async function startWebhookReceiver(o: { port?: number; host?: string; secret?: string; answer?: Behaviour } = {}): Promise<WebhookReceiver> {
  const host = o.host ?? '127.0.0.1';
  const taken = new Set<string>();
  const sockets = new Set<Socket>();
  const requests: Received[] = [];
  const effects: Received[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let change: Partial<Pick<Received, 'table' | 'op' | 'key' | 'row' | 'version'>> = {};
      try {
        change = JSON.parse(body) as typeof change;
      } catch {
        // recorded as it came
      }
      const key = header(req.headers, 'idempotency-key') ?? '';
      const signed = header(req.headers, 'x-dbfifo-signature');
      const r: Received = {
        at: Date.now(),
        idempotencyKey: key,
        table: String(change.table),
        op: String(change.op),
        key: change.key ?? {},
        row: change.row ?? null,
        version: String(change.version),
        body,
        headers: req.headers,
        signature: !o.secret || !signed ? 'unsigned' : signatureValid(o.secret, signed, header(req.headers, 'x-dbfifo-timestamp'), body) ? 'valid' : 'invalid',
        duplicate: taken.has(key),
      };
      requests.push(r);
      if (o.secret && r.signature !== 'valid') return void res.writeHead(401).end('bad signature');
      if (r.duplicate) return void res.writeHead(200).end('duplicate');
      const a = receiver.answer(r);
      if (a === 'reset') return void req.socket.destroy();
      if (a === 'hang') return;
      if ((a.status >= 200 && a.status < 300) || a.processed) {
        taken.add(key);
        effects.push(r);
        receiver.onEffect?.(r);
      }
      const send = () => res.writeHead(a.status, a.headers).end(a.status < 300 ? 'ok' : `status ${a.status}`);
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(o.port ?? 0);
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  const receiver: WebhookReceiver = {
    url: `http://${host}:${port}/hook`,
    port,
    requests,
    effects,
    get maxInFlight() {
      return maxInFlight;
    },
    answer: o.answer ?? (() => ({ status: 200 })),
    down: stop,
    up: async () => void (await listen(port)),
    close: async () => {
      if (server.listening) await stop();
    },
  };
  return receiver;
}
