// ioredis connections for BullMQ. maxRetriesPerRequest: null and the offline
// queue on: while Redis is down, commands wait for the reconnect instead of
// failing, so `await queue.add` simply takes longer and the relay, which awaits
// it before reading more, stops taking lines off the pipe.
import { Redis } from 'ioredis';

export function createRedis(url: string, o: { onError?: (e: Error) => void } = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    // Reconnect forever, backing off to 2 s between tries.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    lazyConnect: false,
  });
  // Without a listener ioredis prints every reconnect failure; callers log one line instead.
  redis.on('error', (e: Error) => o.onError?.(e));
  return redis;
}
