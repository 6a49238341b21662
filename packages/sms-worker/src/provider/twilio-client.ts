// The twilio SDK client, pointed at another API base through the SDK's own
// extension point: a custom httpClient. We subclass its RequestClient and
// rewrite https://api.twilio.com to TWILIO_API_BASE_URL; everything else
// (auth, form encoding, paging, RestException) stays the SDK's.
import twilio from 'twilio';
import type { TwilioConfig } from '../config.ts';

const TWILIO_API = 'https://api.twilio.com';

export type TwilioClient = ReturnType<typeof twilio>;
type RequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0];

/** RequestClient that sends api.twilio.com requests to `baseUrl` instead. */
export class RebasedRequestClient extends twilio.RequestClient {
  readonly #base: string;

  constructor(baseUrl: string, opts: ConstructorParameters<typeof twilio.RequestClient>[0] = {}) {
    super(opts);
    this.#base = baseUrl.replace(/\/$/, '');
  }

  override request<TData>(opts: RequestOptions & { data?: TData }) {
    const uri = opts.uri.startsWith(TWILIO_API) ? this.#base + opts.uri.slice(TWILIO_API.length) : opts.uri;
    return super.request<TData>({ ...opts, uri });
  }
}

export function createTwilioClient(cfg: TwilioConfig): TwilioClient {
  // autoRetry stays off: retries, backoff and the rate limit are the worker's,
  // so every create request is counted against SMS_RATE_PER_SEC.
  const httpOpts = { timeout: cfg.timeoutMs, keepAlive: true };
  const client = twilio(cfg.accountSid, cfg.authToken, {
    httpClient: cfg.apiBaseUrl ? new RebasedRequestClient(cfg.apiBaseUrl, httpOpts) : new twilio.RequestClient(httpOpts),
  });
  // The SDK loads its resource modules on first use (~0.8 s here). Do it now, at
  // start, so the first text is not late and rate-limited sends do not bunch behind it.
  void client.messages;
  return client;
}
