// `nx run static-gen:serve`: the worker on the `static` pipe.
import { runMain } from '@dbfifo/fifo-core';
import { loadStaticConfig } from './config.ts';
import { staticGen } from './worker.ts';

runMain(staticGen, loadStaticConfig);
