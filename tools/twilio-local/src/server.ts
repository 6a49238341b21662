// A local Twilio-compatible API (node:http) speaking the Messages resource as
// the twilio SDK uses it: create (form-encoded), list (filters, paging) and
// fetch, with Basic auth and Twilio-shaped errors. It can be told to fail or
// be slow, and it records what it received, for the demo and the tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultFaults, mergeFaults, pickFault, type FaultConfig } from './faults.ts';
import { API_VERSION, errorJson, messageJson } from './shape.ts';
import { MessageStore, type ListFilter, type StoredMessage } from './store.ts';

export interface TwilioLocalOptions {
  accountSid: string;
  authToken: string;
  /** 0 = any free port. */
  port?: number;
  host?: string;
  faults?: Partial<FaultConfig>;
  /** Called with one line per text "sent" (the CLI prints them). */
  print?: (line: string) => void;
}

/** One request the API received (creates, lists and fetches), with its answer. */
export interface ReceivedRequest {
  /** When the request arrived (ms since epoch), before any injected latency. */
  at: number;
  method: string;
  path: string;
  status: number;
  code?: number;
  to?: string;
}

export interface TwilioLocal {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  messages(): readonly StoredMessage[];
  requests(): readonly ReceivedRequest[];
  configure(patch: Partial<FaultConfig>): FaultConfig;
  reset(): void;
  close(): Promise<void>;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const MESSAGES = new RegExp(`^/${API_VERSION}/Accounts/([^/]+)/Messages(?:/([^/]+))?\\.json$`);

export async function startTwilioLocal(opts: TwilioLocalOptions): Promise<TwilioLocal> {
  const store = new MessageStore();
  const initial = mergeFaults(defaultFaults, opts.faults ?? {});
  let faults = { ...initial, failNext: [...initial.failNext], failNextList: [...initial.failNextList] };
  let requests: ReceivedRequest[] = [];
  const expectedAuth = 'Basic ' + Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64');

  const server = http.createServer((req, res) => {
    const arrived = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const body = Buffer.concat(chunks).toString('utf8');
      const send = (status: number, json: unknown, code?: number, to?: string): void => {
        requests.push({ at: arrived, method: req.method ?? '', path: url.pathname, status, ...(code ? { code } : {}), ...(to ? { to } : {}) });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };

      if (url.pathname.startsWith('/_local/')) return local(url.pathname, req.method ?? '', body, send);
      const m = MESSAGES.exec(url.pathname);
      if (!m) return send(404, errorJson(404, 20404, `The requested resource ${url.pathname} was not found`), 20404);

      const delay = faults.latencyMs + Math.random() * faults.jitterMs;
      setTimeout(() => {
        const down = faults.failAll;
        if (down) return send(down.status, errorJson(down.status, down.code, down.message ?? 'Service Unavailable'), down.code);
        if (req.headers.authorization !== expectedAuth || m[1] !== opts.accountSid) {
          return send(401, errorJson(401, 20003, 'Authenticate'), 20003);
        }
        if (req.method === 'POST' && !m[2]) return create(new URLSearchParams(body), send, res);
        if (req.method === 'GET' && !m[2]) return list(url, send);
        if (req.method === 'GET' && m[2]) {
          const found = store.get(m[2]);
          return found ? send(200, messageJson(found, false)) : send(404, errorJson(404, 20404, `The requested resource ${url.pathname} was not found`), 20404);
        }
        send(405, errorJson(405, 20004, 'Method not allowed'), 20004);
      }, delay);
    });
  });

  type Send = (status: number, json: unknown, code?: number, to?: string) => void;

  function create(form: URLSearchParams, send: Send, res: http.ServerResponse): void {
    const to = form.get('To') ?? '';
    const fault = pickFault(faults);
    if (fault) return send(fault.status, errorJson(fault.status, fault.code, fault.message), fault.code, to);
    if (!E164.test(to) || faults.rejectTo.includes(to)) {
      return send(400, errorJson(400, 21211, `The 'To' number ${to} is not a valid phone number.`), 21211, to);
    }
    if (faults.unsubscribed.includes(to)) {
      return send(400, errorJson(400, 21610, 'Attempt to send to unsubscribed recipient'), 21610, to);
    }
    const from = form.get('From');
    const service = form.get('MessagingServiceSid');
    if (!from && !service) {
      return send(400, errorJson(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message"), 21603, to);
    }
    const text = form.get('Body');
    if (!text) return send(400, errorJson(400, 21602, 'Message body is required'), 21602, to);

    const msg = store.add({ accountSid: opts.accountSid, to, from, messagingServiceSid: service, body: text, statusCallback: form.get('StatusCallback') });
    opts.print?.(`[twilio-local] ${msg.sid} ${from ?? service} -> ${to}: ${text}`);
    if (Math.random() < faults.dropAfterCreate) {
      // Created, but the caller never learns it: the ambiguous case a sender must handle.
      requests.push({ at: Date.now(), method: 'POST', path: 'Messages.json', status: 0, to });
      res.socket?.destroy();
      return;
    }
    send(201, messageJson(msg, true), undefined, to);
  }

  function list(url: URL, send: Send): void {
    const forced = faults.failNextList.shift();
    if (forced) return send(forced.status, errorJson(forced.status, forced.code, forced.message ?? `Injected error ${forced.code}`), forced.code);
    const q = url.searchParams;
    const filter: ListFilter = {};
    if (q.has('To')) filter.to = q.get('To')!;
    if (q.has('From')) filter.from = q.get('From')!;
    const after = q.get('DateSent>');
    const before = q.get('DateSent<');
    if (after) filter.sentAfter = new Date(after);
    if (before) filter.sentBefore = new Date(before.length === 10 ? `${before}T23:59:59Z` : before);
    if (q.has('DateSent')) filter.sentOn = q.get('DateSent')!.slice(0, 10);
    const pageSize = Math.min(1000, Math.max(1, Number(q.get('PageSize') ?? 50) || 50));
    const pageNo = Number(q.get('Page') ?? 0) || 0;
    const token = q.get('PageToken');
    const beforeSeq = token?.startsWith('PA') ? Number(token.slice(2)) : undefined;
    const { items, more } = store.page(filter, pageSize, beforeSeq);

    const path = url.pathname;
    const keep = new URLSearchParams(q);
    keep.delete('Page');
    keep.delete('PageToken');
    keep.set('PageSize', String(pageSize));
    const pageUri = (page: number, tok?: string): string => {
      const p = new URLSearchParams(keep);
      p.set('Page', String(page));
      if (tok) p.set('PageToken', tok);
      return `${path}?${p.toString()}`;
    };
    const start = pageNo * pageSize;
    send(200, {
      messages: items.map((m) => messageJson(m, false)),
      end: start + Math.max(0, items.length - 1),
      first_page_uri: pageUri(0),
      next_page_uri: more ? pageUri(pageNo + 1, `PA${items[items.length - 1]!.seq}`) : null,
      page: pageNo,
      page_size: pageSize,
      previous_page_uri: pageNo > 0 ? pageUri(pageNo - 1) : null,
      start,
      uri: `${path}?${url.searchParams.toString()}`,
    });
  }

  function local(path: string, method: string, body: string, send: Send): void {
    try {
      if (path === '/_local/messages' && method === 'GET') {
        return send(200, { messages: store.all().map((m) => ({ ...messageJson(m, false), received_at: m.createdAt.getTime(), status_callback: m.statusCallback })) });
      }
      if (path === '/_local/requests' && method === 'GET') return send(200, { requests });
      if (path === '/_local/config' && method === 'GET') return send(200, faults);
      if (path === '/_local/config' && method === 'POST') {
        faults = mergeFaults(faults, JSON.parse(body || '{}'));
        return send(200, faults);
      }
      if (path === '/_local/reset' && method === 'POST') {
        api.reset();
        return send(200, { ok: true });
      }
      send(404, { error: `no ${method} ${path}` });
    } catch (err) {
      send(400, { error: (err as Error).message });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const api: TwilioLocal = {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    messages: () => store.all(),
    requests: () => requests,
    configure(patch) {
      faults = mergeFaults(faults, patch);
      return faults;
    },
    reset() {
      store.clear();
      requests = [];
      faults = { ...initial, failNext: [...initial.failNext], failNextList: [...initial.failNextList] };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return api;
}
