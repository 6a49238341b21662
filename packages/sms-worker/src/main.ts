// `nx run sms-worker:serve`: read the sms pipe and send texts. Configuration:
// environment variables, see ../README.md.
import { runMain } from '@dbfifo/fifo-core';
import { loadSmsConfig } from './config.ts';
import { smsWorker } from './worker.ts';

runMain(smsWorker, loadSmsConfig);
