// The fault benchmark's consumer as its own process (SIGSTOP needs one),
// configured like any worker: DBFIFO_* variables and DATABASE_URL.
import { collectConfig, loadDatabaseConfig, loadRuntimeConfig, runMain } from '@dbfifo/fifo-core';
import { faultWorker } from './definition.ts';

runMain(faultWorker(), (env) => collectConfig({ runtime: () => loadRuntimeConfig('bench-faults', env), db: () => loadDatabaseConfig(env) }));
