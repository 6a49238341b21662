// The only file that reads process.env. Every size is a parameter: the
// defaults finish in a few minutes on 2 shared cores; the target
// sizes are noted beside each one (docs/benchmarks.md says what was run).
// The suite's variables are BENCH_*; each package's own bench prefixes its
// own (SMS_BENCH_*, STATIC_BENCH_*, …), all read by test-utils' bench-env.
import { benchInt as int, benchString } from '@dbfifo/test-utils';

export interface BenchConfig {
  /** Private stack instance, so heavy runs never disturb the shared servers. */
  stack: { name: string; mysqlPort: string; redisPort: string };
  /** rereads: which row re-reads the direct handler runs on each doorbell (all by default, side by side). */
  latency: { inserts: number; ratePerSec: number; rereads: string[] };
  triggerCost: { rows: number; batch: number; reps: number };
  bulk: { rows: number; reps: number };
  /** Run fifo-core's own benchmarks (they rewrite docs/bench/fifo-core.md), or only include their last figures. */
  worker: { rerun: boolean };
  /** Each phase of the consumer-faults scenario, and how many baseline/fault pairs. */
  faults: { seconds: number; reps: number };
}

export function loadBenchConfig(): BenchConfig {
  return {
    stack: {
      name: benchString('BENCH_STACK', 'bench'), // BENCH_STACK=main uses the shared stack (not recommended)
      mysqlPort: String(int('BENCH_MYSQL_PORT', 3430)),
      redisPort: String(int('BENCH_REDIS_PORT', 6430)),
    },
    latency: {
      inserts: int('BENCH_LATENCY_INSERTS', 500), // target: 500
      ratePerSec: int('BENCH_LATENCY_RATE', 50), // steady rate of the insert stream
      // readCommitted, waitForRow1, waitForRow5 (comma separated): one alone shows its tail without the others' queries.
      rereads: (process.env.BENCH_LATENCY_REREAD ?? 'readCommitted,waitForRow1,waitForRow5').split(',').map((v) => v.trim()).filter(Boolean),
    },
    triggerCost: {
      rows: int('BENCH_TRIGGER_ROWS', 200_000), // target: 200,000
      batch: int('BENCH_TRIGGER_BATCH', 1000), // rows per transaction
      reps: int('BENCH_TRIGGER_REPS', 3), // interleaved repetitions per variant
    },
    bulk: { rows: int('BENCH_BULK_ROWS', 1_000_000), reps: int('BENCH_BULK_REPS', 3) }, // target: 1,000,000
    worker: { rerun: process.env.BENCH_WORKER_RERUN !== '0' }, // BENCH_WORKER_RERUN=0: include only
    faults: {
      seconds: int('BENCH_FAULT_SECONDS', 30), // target: up to 60 (stall), 30 (Redis)
      reps: int('BENCH_FAULT_REPS', 3),
    },
  };
}
