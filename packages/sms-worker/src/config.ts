// The only file of sms-worker that reads the environment (through fifo-core's
// typed fields). Every variable, its default and meaning: ../README.md.
import {
  collectConfig,
  ConfigError,
  env,
  loadConfig,
  loadDatabaseConfig,
  loadRuntimeConfig,
  type WorkerConfig,
} from '@dbfifo/fifo-core';

export const twilioSpec = {
  accountSid: env.string('TWILIO_ACCOUNT_SID', { doc: 'Twilio account SID (AC…)' }),
  authToken: env.string('TWILIO_AUTH_TOKEN', { doc: 'Twilio auth token' }),
  from: env.string('TWILIO_FROM', { optional: true, doc: 'sender number in E.164 (or set TWILIO_MESSAGING_SERVICE_SID)' }),
  messagingServiceSid: env.string('TWILIO_MESSAGING_SERVICE_SID', { optional: true, doc: 'Messaging Service SID (MG…), used instead of TWILIO_FROM' }),
  apiBaseUrl: env.string('TWILIO_API_BASE_URL', { optional: true, doc: 'send API requests here instead of https://api.twilio.com (the local API)' }),
  timeoutMs: env.int('TWILIO_HTTP_TIMEOUT_MS', { default: 15_000, min: 100, doc: 'per-request timeout' }),
};

export const smsSpec = {
  defaultRegion: env.string('SMS_DEFAULT_REGION', { default: 'CN', doc: 'region for numbers written without +country code (ISO 3166 alpha-2)' }),
  defaultBody: env.string('SMS_DEFAULT_BODY', { default: 'You have a new message.', doc: 'text sent for a bare mobile-number line' }),
  ratePerSec: env.number('SMS_RATE_PER_SEC', { default: 1, min: 0, doc: 'max message creates per second for the sender (per process with SMS_RATE_SCOPE=process); 0 = no limit' }),
  rateBurst: env.int('SMS_RATE_BURST', { default: 1, min: 1, doc: 'creates allowed back to back before the rate applies' }),
  rateScope: env.oneOf('SMS_RATE_SCOPE', ['auto', 'process', 'redis'] as const, { default: 'auto', doc: 'where the rate holds: redis = across all processes (shared limiter in REDIS_URL), process = per process; auto = redis in queue mode, process in direct mode' }),
  sendConcurrency: env.int('SMS_SEND_CONCURRENCY', { default: 16, min: 1, max: 1000, doc: 'most requests to the provider at once in this process, whatever the number of batches' }),
  sendAttempts: env.int('SMS_SEND_ATTEMPTS', { default: 5, min: 1, doc: 'API tries per delivery before the row goes back to pending' }),
  retryBaseMs: env.int('SMS_RETRY_BASE_MS', { default: 500, min: 0, doc: 'first retry delay, doubled per try (with jitter)' }),
  retryMaxMs: env.int('SMS_RETRY_MAX_MS', { default: 30_000, min: 0, doc: 'longest retry delay' }),
  breakerFailures: env.int('SMS_BREAKER_FAILURES', { default: 5, min: 1, doc: 'outage signs in a row (5xx, timeouts, network errors) that stop all requests for a cool-down' }),
  breakerCooldownMs: env.int('SMS_BREAKER_COOLDOWN_MS', { default: 1000, min: 10, doc: 'first cool-down once the provider is failing; then one probe, and twice as long after each failed probe' }),
  breakerCooldownMaxMs: env.int('SMS_BREAKER_COOLDOWN_MAX_MS', { default: 5000, min: 10, doc: 'longest cool-down: at most this long between the provider recovering and the next probe' }),
  rowWaitMs: env.int('SMS_ROW_WAIT_MS', { default: 2000, min: 0, doc: "how long a batch waits for its rows' transactions to end; a row still uncommitted then is retried" }),
  stuckAfterMs: env.int('SMS_STUCK_AFTER_MS', { default: 120_000, min: 1000, doc: "a 'sending' row older than this (no live worker on it) is resolved by reconcile" }),
  recovery: env.oneOf('SMS_RECOVERY', ['lookup', 'park'] as const, { default: 'lookup', doc: "stuck and 'unknown' rows: ask the provider (lookup) or park them for a person (park)" }),
  recoveryWindowMs: env.int('SMS_RECOVERY_WINDOW_MS', { default: 600_000, min: 0, doc: 'clock-skew margin before claimed_at when matching provider messages' }),
  reconcileBatch: env.int('SMS_RECONCILE_BATCH', { default: 500, min: 1, doc: 'rows per reconcile pass' }),
};

export type TwilioConfig = ReturnType<typeof loadConfig<typeof twilioSpec>>;
export type SmsSettings = ReturnType<typeof loadConfig<typeof smsSpec>>;

export interface SmsConfig extends WorkerConfig {
  twilio: TwilioConfig;
  sms: SmsSettings;
}

function loadTwilio(source: NodeJS.ProcessEnv): TwilioConfig {
  const t = loadConfig(twilioSpec, source);
  const problems: string[] = [];
  if (!t.from && !t.messagingServiceSid) problems.push('TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required (the sender)');
  if (!t.accountSid.startsWith('AC')) problems.push(`TWILIO_ACCOUNT_SID must start with AC (got ${JSON.stringify(t.accountSid.slice(0, 4))}…)`);
  if (t.apiBaseUrl && !/^https?:\/\/[^/]+\/?$/.test(t.apiBaseUrl)) problems.push(`TWILIO_API_BASE_URL must be scheme://host[:port] (got ${JSON.stringify(t.apiBaseUrl)})`);
  if (problems.length) throw new ConfigError(problems);
  return t;
}

function loadSms(source: NodeJS.ProcessEnv): SmsSettings {
  const s = loadConfig(smsSpec, source);
  const problems: string[] = [];
  if (!/^[A-Z]{2}$/.test(s.defaultRegion)) problems.push(`SMS_DEFAULT_REGION must be a two-letter region code like CN (got ${JSON.stringify(s.defaultRegion)})`);
  if (s.breakerCooldownMaxMs < s.breakerCooldownMs) problems.push(`SMS_BREAKER_COOLDOWN_MAX_MS=${s.breakerCooldownMaxMs} must be at least SMS_BREAKER_COOLDOWN_MS=${s.breakerCooldownMs}`);
  if (problems.length) throw new ConfigError(problems);
  return s;
}

/** Whole worker config; throws one ConfigError naming every bad variable. */
export function loadSmsConfig(source: NodeJS.ProcessEnv = process.env): SmsConfig {
  const c = collectConfig({
    runtime: () => loadRuntimeConfig('sms', source),
    db: () => loadDatabaseConfig(source),
    twilio: () => loadTwilio(source),
    sms: () => loadSms(source),
  });
  // A live worker renews its claim before every request and lookup; the longest
  // silence is one backoff plus a lookup plus a create. Reconcile must not take
  // a row that is merely slow for a dead one.
  const longestSilence = c.sms.retryMaxMs + 2 * c.twilio.timeoutMs;
  if (c.sms.stuckAfterMs <= longestSilence) {
    throw new ConfigError([
      `SMS_STUCK_AFTER_MS=${c.sms.stuckAfterMs} must exceed SMS_RETRY_MAX_MS + 2 × TWILIO_HTTP_TIMEOUT_MS = ${longestSilence}, or a slow send could be taken for a dead one`,
    ]);
  }
  return c;
}

/** Where SMS_RATE_PER_SEC holds: every process sending as this sender (redis), or this process alone. */
export function rateScope(c: SmsConfig): 'process' | 'redis' {
  if (c.sms.rateScope !== 'auto') return c.sms.rateScope;
  return c.runtime.mode === 'queue' ? 'redis' : 'process';
}

/** The Redis key of the shared limiter: one per sender, whatever the queue. */
export function rateKey(c: SmsConfig): string {
  return `${c.runtime.queue.prefix}:sms:rate:${c.twilio.messagingServiceSid ?? c.twilio.from}`;
}
