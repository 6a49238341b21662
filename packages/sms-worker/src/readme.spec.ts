// Every variable this worker reads, every code it writes or fails a message
// with, and every provider code it explains, has its row in the README.
import { describeReadme } from '@dbfifo/test-utils';
import { smsSpec, twilioSpec } from './config.ts';
import { SMS_CODES } from './errors.ts';
import { TWILIO_PERMANENT_CODES } from './provider/classify.ts';

describeReadme(new URL('../README.md', import.meta.url), {
  variables: Object.values({ ...twilioSpec, ...smsSpec }),
  codes: [...Object.keys(SMS_CODES), ...Object.keys(TWILIO_PERMANENT_CODES)],
});
