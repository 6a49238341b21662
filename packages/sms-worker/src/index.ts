// Public surface of @dbfifo/sms-worker. Re-exports only.
export { createSmsWorker, smsWorker, SMS_DEFAULTS, type SmsWorker, type SmsStats } from './worker.ts';
export { loadSmsConfig, rateKey, rateScope, smsSpec, twilioSpec, type SmsConfig, type SmsSettings, type TwilioConfig } from './config.ts';
export { parseSmsLine, type SmsLine } from './line.ts';
export { SmsRows, type OutboxRow, type OutboxStatus } from './rows.ts';
export { SMS_CODES, SmsError, InvalidNumberError, ProviderRefusedError, type SmsCode } from './errors.ts';
export { createTwilioClient, RebasedRequestClient, type TwilioClient } from './provider/twilio-client.ts';
export { classify, TWILIO_PERMANENT_CODES, type Verdict } from './provider/classify.ts';
export { normalisePhone, type Normalised } from './provider/phone.ts';
export { RedisRateLimiter, createRateLimiter, type RedisRateLimiterOptions } from './provider/redis-rate-limit.ts';
export { Breaker, type BreakerOptions } from './provider/breaker.ts';
