// Failure modes the local API can be told to show, changed at runtime through
// POST /_local/config. Shares are probabilities in [0, 1] per create request;
// failNextList makes message lists fail too (a provider outage hits both);
// failAll fails every API request while it is set (a whole outage).

export interface InjectedError {
  /** Twilio error code, e.g. 30001. */
  code: number;
  /** HTTP status to answer with, e.g. 400. */
  status: number;
  share: number;
  message?: string;
}

export interface FaultConfig {
  /** Added to every API request (ms). */
  latencyMs: number;
  /** Extra random latency in [0, jitterMs). */
  jitterMs: number;
  /** Share of message creates answered 429 / code 20429. */
  rate429: number;
  /** Share of message creates answered 500 / code 20500. */
  rate500: number;
  /** Further error codes, each with its own share. */
  errors: InjectedError[];
  /** Share of creates where the message IS created but the connection is cut before the answer. */
  dropAfterCreate: number;
  /** Errors for the next creates, one each, in order (deterministic tests): e.g. [{"status":429,"code":20429}]. */
  failNext: { status: number; code: number; message?: string }[];
  /** Errors for the next message lists (GET Messages.json), one each, in order. */
  failNextList: { status: number; code: number; message?: string }[];
  /** While set, every API request (create, list, fetch) is answered with this error and changes nothing: an outage. */
  failAll: { status: number; code: number; message?: string } | null;
  /** `To` numbers answered 21610 (recipient unsubscribed, replied STOP). */
  unsubscribed: string[];
  /** `To` numbers answered 21211 although well-formed. */
  rejectTo: string[];
}

export const defaultFaults: FaultConfig = {
  latencyMs: 0,
  jitterMs: 0,
  rate429: 0,
  rate500: 0,
  errors: [],
  dropAfterCreate: 0,
  failNext: [],
  failNextList: [],
  failAll: null,
  unsubscribed: [],
  rejectTo: [],
};

/** Merge a partial config (from JSON) over the current one, checking each value. */
export function mergeFaults(current: FaultConfig, patch: unknown): FaultConfig {
  if (typeof patch !== 'object' || patch === null) throw new Error('config must be a JSON object');
  const next: FaultConfig = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    switch (k) {
      case 'latencyMs':
      case 'jitterMs':
        next[k] = nonNegative(k, v);
        break;
      case 'rate429':
      case 'rate500':
      case 'dropAfterCreate':
        next[k] = share(k, v);
        break;
      case 'errors':
        if (!Array.isArray(v)) throw new Error('errors must be an array');
        next.errors = v.map((e: Record<string, unknown>) => ({
          code: nonNegative('errors[].code', e.code),
          status: nonNegative('errors[].status', e.status),
          share: share('errors[].share', e.share),
          ...(typeof e.message === 'string' ? { message: e.message } : {}),
        }));
        break;
      case 'failNext':
      case 'failNextList':
        if (!Array.isArray(v)) throw new Error(`${k} must be an array`);
        next[k] = v.map((e: Record<string, unknown>) => ({
          status: nonNegative(`${k}[].status`, e.status),
          code: nonNegative(`${k}[].code`, e.code),
          ...(typeof e.message === 'string' ? { message: e.message } : {}),
        }));
        break;
      case 'failAll': {
        if (v === null) {
          next.failAll = null;
          break;
        }
        if (typeof v !== 'object') throw new Error('failAll must be null or an object like {"status":503,"code":20503}');
        const e = v as Record<string, unknown>;
        next.failAll = { status: nonNegative('failAll.status', e.status), code: nonNegative('failAll.code', e.code), ...(typeof e.message === 'string' ? { message: e.message } : {}) };
        break;
      }
      case 'unsubscribed':
      case 'rejectTo':
        if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`${k} must be an array of strings`);
        next[k] = v;
        break;
      default:
        throw new Error(`unknown config key ${k}`);
    }
  }
  return next;
}

function nonNegative(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number >= 0`);
  return v;
}

function share(name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${name} must be a share between 0 and 1`);
  return v;
}

/** The injected failure for this request, if the dice say so. */
export function pickFault(f: FaultConfig, random = Math.random): { status: number; code: number; message: string } | undefined {
  const forced = f.failNext.shift();
  if (forced) return { status: forced.status, code: forced.code, message: forced.message ?? `Injected error ${forced.code}` };
  if (random() < f.rate429) return { status: 429, code: 20429, message: 'Too Many Requests' };
  if (random() < f.rate500) return { status: 500, code: 20500, message: 'Internal Server Error' };
  for (const e of f.errors) {
    if (random() < e.share) return { status: e.status, code: e.code, message: e.message ?? `Injected error ${e.code}` };
  }
  return undefined;
}
