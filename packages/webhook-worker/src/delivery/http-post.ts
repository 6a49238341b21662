// One POST with a deadline for the whole exchange (connect, answer, body), on
// a keep-alive agent per endpoint. Answers are classified here: 2xx delivered;
// 408, 425, 429 and 5xx worth another try (with the Retry-After it asks for);
// any other status refused for good. A shutdown (signal) ends the request
// without an outcome: it may have reached the receiver, which is what the
// Idempotency-Key of the next try is for.
import http from 'node:http';
import https from 'node:https';
import { DeliveryError } from '../errors.ts';
import type { WireRequest } from './request.ts';

export class PostAborted extends Error {
  override name = 'PostAborted';
}

const RETRYABLE = new Set([408, 425, 429]);

export function agentFor(url: URL, maxSockets: number): http.Agent {
  const o = { keepAlive: true, maxSockets };
  return url.protocol === 'https:' ? new https.Agent(o) : new http.Agent(o);
}

/** Retry-After in seconds or as an HTTP date, in ms from now. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Resolves when the receiver answered 2xx; rejects with a DeliveryError, or PostAborted on shutdown. */
export function postJson(url: URL, req: WireRequest, o: { agent: http.Agent; timeoutMs: number; signal: AbortSignal }): Promise<void> {
  return new Promise((resolve, reject) => {
    if (o.signal.aborted) return reject(new PostAborted('shutdown before the request'));
    const send = url.protocol === 'https:' ? https.request : http.request;
    let settled = false;
    const done = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const request = send(url, { method: 'POST', agent: o.agent, headers: { ...req.headers, 'Content-Length': Buffer.byteLength(req.body) } }, (res) => {
      const status = res.statusCode ?? 0;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < 200) text += chunk;
      });
      res.on('error', (e) => done(new DeliveryError(`answer cut off: ${e.message}`, 'RECEIVER_UNREACHABLE', { cause: e })));
      res.on('end', () => {
        if (status >= 200 && status < 300) return done();
        const said = `HTTP ${status} from ${url.origin}${url.pathname}${text ? `: ${text.slice(0, 200).replace(/\s+/g, ' ')}` : ''}`;
        if (status >= 500 || RETRYABLE.has(status)) done(new DeliveryError(said, 'RECEIVER_ERROR', { status, retryAfterMs: retryAfterMs(res.headers['retry-after']) }));
        else done(new DeliveryError(said, 'RECEIVER_REFUSED', { status }));
      });
    });
    const timer = setTimeout(() => {
      request.destroy();
      done(new DeliveryError(`no complete answer from ${url.origin} within ${o.timeoutMs} ms`, 'RECEIVER_TIMEOUT'));
    }, o.timeoutMs);
    const onAbort = () => {
      request.destroy();
      done(new PostAborted('shutdown during the request'));
    };
    o.signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', (e: NodeJS.ErrnoException) => done(new DeliveryError(`${url.origin}: ${e.code ?? e.message}`, 'RECEIVER_UNREACHABLE', { cause: e })));
    request.end(req.body);
  });
}
