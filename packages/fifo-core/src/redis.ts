// ioredis connections for BullMQ. maxRetriesPerRequest: null and the offline
// queue on: while Redis is down, commands wait for the reconnect instead of
// failing, so a relay's addBulk simply takes longer while the reader goes on
// draining the pipe into the pending set (relay-path.ts).
import { Redis } from 'ioredis';
import { backoffDelay } from './backoff.ts';

export function createRedis(url: string, o: { onError?: (e: Error) => void } = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    // Reconnect forever, backing off to 2 s between tries.
    retryStrategy: (times) => backoffDelay(times, { initialMs: 100, maxMs: 2000 }),
    lazyConnect: false,
  });
  // Without a listener ioredis prints every reconnect failure; callers log one line instead.
  redis.on('error', (e: Error) => o.onError?.(e));
  return redis;
}
