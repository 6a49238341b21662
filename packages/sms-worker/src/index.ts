export { createSmsWorker, smsWorker, type SmsWorker, type SmsStats } from './worker.ts';
export { loadSmsConfig, rateKey, rateScope, smsSpec, twilioSpec, type SmsConfig, type SmsSettings, type TwilioConfig } from './config.ts';
export { createTwilioClient, RebasedRequestClient, type TwilioClient } from './twilio-client.ts';
export { parseSmsLine, type SmsLine } from './message.ts';
export { normalisePhone, type Normalised } from './phone.ts';
export { TokenBucket, type RateLimiter } from './rate-limit.ts';
export { RedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limit.ts';
export { classify, PERMANENT_CODES, type Outcome } from './errors.ts';
export { Outbox, type OutboxRow, type Status } from './outbox.ts';
