// Process entry for the ledger worker (the SIGKILL case runs it as a child).
import { runMain } from '@dbfifo/fifo-core';
import { ledgerWorker } from './ledger-worker.ts';
import { loadLedgerConfig } from './config.ts';

runMain(ledgerWorker(), loadLedgerConfig);
