// The receivers: per table its URL, and per URL one gate (concurrency, rate)
// and one keep-alive agent, shared by every table that posts there.
import type http from 'node:http';
import type { WebhookSettings } from '../config.ts';
import { EndpointGate } from './endpoint-gate.ts';
import { agentFor, postJson } from './http-post.ts';
import type { WireRequest } from './request.ts';

interface Endpoint {
  url: URL;
  gate: EndpointGate;
  agent: http.Agent;
}

export class Endpoints {
  private readonly byUrl = new Map<string, Endpoint>();
  private readonly byTable = new Map<string, Endpoint>();

  constructor(private readonly s: WebhookSettings) {
    for (const [table, raw] of Object.entries(s.endpoints)) {
      const url = new URL(raw);
      let e = this.byUrl.get(url.href);
      if (!e) {
        e = { url, gate: new EndpointGate({ concurrency: s.concurrency, ratePerSec: s.ratePerSec, burst: s.rateBurst }), agent: agentFor(url, s.concurrency) };
        this.byUrl.set(url.href, e);
      }
      this.byTable.set(table, e);
    }
  }

  urlOf(table: string): string {
    return this.endpoint(table).url.href;
  }

  /** POSTs one change of `table` through its endpoint's gate. */
  post(table: string, req: WireRequest, signal: AbortSignal): Promise<void> {
    const e = this.endpoint(table);
    return e.gate.run(() => postJson(e.url, req, { agent: e.agent, timeoutMs: this.s.timeoutMs, signal }), signal);
  }

  close(): void {
    for (const e of this.byUrl.values()) e.agent.destroy();
  }

  private endpoint(table: string): Endpoint {
    const e = this.byTable.get(table);
    if (!e) throw new Error(`no endpoint for table ${table}`);
    return e;
  }
}
