import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SMS_CODES } from './errors.ts';
import { TWILIO_PERMANENT_CODES } from './provider/classify.ts';

// Every code this worker writes or fails a message with, and every provider
// code it explains, has its row in the README.
describe('codes', () => {
  const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const rowOf = (code: string) => readme.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
  it.each(Object.keys(SMS_CODES))('README documents %s', (code) => expect(rowOf(code), `${code} row`).toBeDefined());
  it.each(Object.keys(TWILIO_PERMANENT_CODES))('README documents Twilio code %s', (code) => expect(rowOf(code), `${code} row`).toBeDefined());
});
