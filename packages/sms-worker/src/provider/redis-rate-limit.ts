// The limiter shared by every process sending as one sender (SMS_RATE_SCOPE=redis;
// the default in queue mode): the same rule as TokenBucket — at most `burst`
// grants in any burst/ratePerSec seconds — but the last `burst` grant times live
// in one Redis list and a Lua script checks and records a grant atomically, so N
// consumer processes together keep the sender's rate. Times come from Redis
// (TIME), not from each host's clock, so hosts with skewed clocks agree.
//
// Within a process the waiters queue up in arrival order and only the head asks
// Redis, so a process with 50 handlers waiting makes one request per grant.
// If Redis cannot be reached nothing is granted: the head waits and asks again
// (a send too many is the one thing a rate limit must not allow).
//
// createRateLimiter (at the end) picks between this and the process's own.
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { abortable, ABORTED, QueuedLimiter, TokenBucket, type Logger, type RateLimiter } from '@dbfifo/fifo-core';
import { rateKey, rateScope, type SmsConfig } from '../config.ts';

// KEYS[1] grant list (newest first); ARGV[1] burst, ARGV[2] window ms.
// Returns '0' (granted, recorded) or the ms to wait before asking again.
// Strings both ways: Redis truncates Lua numbers to integers.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local burst = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
if redis.call('LLEN', KEYS[1]) >= burst then
  local oldest = tonumber(redis.call('LINDEX', KEYS[1], burst - 1))
  local wait = oldest + window - now
  if wait > 0 then return string.format('%.3f', wait) end
end
redis.call('LPUSH', KEYS[1], string.format('%.3f', now))
redis.call('LTRIM', KEYS[1], 0, burst - 1)
redis.call('PEXPIRE', KEYS[1], math.ceil(window) + 60000)
return '0'
`;

type WithTake = Redis & { dbfifoRateTake(key: string, burst: number, windowMs: number): Promise<string> };

export interface RedisRateLimiterOptions {
  redisUrl: string;
  /** Redis key holding the grants; one per sender (every process sending as it must use the same key). */
  key: string;
  ratePerSec: number;
  burst?: number;
  log?: Logger;
  /** How long to wait before asking again after a Redis error. */
  retryMs?: number;
}

export class RedisRateLimiter extends QueuedLimiter {
  readonly #key: string;
  readonly #retryMs: number;
  readonly #log?: Logger;
  readonly #redis: WithTake;
  #lastErrorLog = 0;

  constructor(o: RedisRateLimiterOptions) {
    super(o.ratePerSec, o.burst);
    this.#key = o.key;
    this.#retryMs = o.retryMs ?? 500;
    this.#log = o.log;
    // Lazy: a relay-only process never sends, so never connects. Commands fail
    // fast while Redis is down (we retry ourselves, abortably) instead of
    // piling up in ioredis's offline queue.
    this.#redis = new Redis(o.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, commandTimeout: 2000, connectionName: 'dbfifo-sms-rate' }) as WithTake;
    this.#redis.on('error', () => {}); // reported by take() when it matters
    this.#redis.defineCommand('dbfifoRateTake', { numberOfKeys: 1, lua: TAKE });
  }

  protected async waitTurn(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      let waitMs: number;
      try {
        const answer = await abortable(this.#redis.dbfifoRateTake(this.#key, this.burst, this.windowMs), signal);
        if (answer === ABORTED) throw signal!.reason;
        waitMs = Number(answer);
      } catch (err) {
        signal?.throwIfAborted();
        const now = Date.now();
        if (now - this.#lastErrorLog > 10_000) {
          this.#lastErrorLog = now;
          this.#log?.warn({ err: (err as Error).message, key: this.#key }, 'sms rate limiter: Redis unreachable, not sending until it answers');
        }
        waitMs = this.#retryMs;
      }
      if (waitMs <= 0) return;
      await sleep(Math.ceil(waitMs), undefined, { signal });
    }
  }

  async close(): Promise<void> {
    if (this.#redis.status === 'wait' || this.#redis.status === 'end') return this.#redis.disconnect();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}

/** The limiter every create request passes: shared through Redis (SMS_RATE_SCOPE) or this process's own. */
export function createRateLimiter(c: SmsConfig, log: Logger): RateLimiter {
  const { ratePerSec, rateBurst } = c.sms;
  if (rateScope(c) === 'process' || ratePerSec === 0) return new TokenBucket(ratePerSec, rateBurst);
  const key = rateKey(c);
  log.info({ key, ratePerSec, burst: rateBurst }, 'sms rate limit shared through Redis');
  return new RedisRateLimiter({ redisUrl: c.runtime.redisUrl, key, ratePerSec, burst: rateBurst, log });
}
