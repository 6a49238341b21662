// startWorker: wires reader → (direct dispatch | queue relay) and/or queue
// consumer → handler, plus reconcile, metrics and graceful stop. Each piece
// lives in its own file; this one only decides who talks to whom.
import { setMaxListeners } from 'node:events';
import type { Worker as BullWorker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DatabaseConfig, RuntimeConfig } from './config.ts';
import { queueNameFor } from './config.ts';
import { InvalidMessageError, PermanentError, type Helpers, type Message, type WorkerDefinition } from './contract.ts';
import { DeadLetterFile } from './dead-letter.ts';
import { runWithRetry } from './direct-retry.ts';
import { KeyedDispatcher } from './dispatch-direct.ts';
import { RolledBackError } from './errors.ts';
import { startMetricsServer, type MetricsServer } from './http-server.ts';
import type { FrameEvent } from './line-framer.ts';
import { createLogger, type Logger } from './logger.ts';
import { buildMessage, prepareMessage } from './message.ts';
import { createMetrics, type WorkerMetricsSnapshot } from './metrics.ts';
import { PipeReader } from './pipe-reader.ts';
import { startConsumer } from './queue-consumer.ts';
import { QueueRelay, type RelayJob } from './queue-relay.ts';
import { ReconcileScheduler } from './reconcile-scheduler.ts';
import { createRedis } from './redis.ts';
import { within } from './within.ts';

export interface WorkerConfig {
  runtime: RuntimeConfig;
  db: DatabaseConfig;
}

export interface RunningWorker {
  /** Resolves once the reader is open (and the first reconcile has been started). */
  ready: Promise<void>;
  /** Graceful stop: stop reading, finish in-flight within shutdownTimeoutMs, run def.stop, close queues. */
  stop(): Promise<void>;
  /** Resolves when the worker has fully stopped (rejects if it could not start). */
  done: Promise<void>;
  /** Live counters. */
  metrics: WorkerMetricsSnapshot;
  /** The worker's prom-client registry (also served on DBFIFO_METRICS_PORT). */
  registry: import('prom-client').Registry;
  /** Port the metrics server listens on once ready (undefined when off). */
  readonly metricsPort: number | undefined;
  /** Run reconcile now (or join the running pass); resolves with what it fixed. */
  reconcileNow(): Promise<number | undefined>;
}

export function startWorker<C extends WorkerConfig, T>(
  def: WorkerDefinition<C, T>,
  config: C,
  opts: { logger?: Logger } = {},
): RunningWorker {
  const rt = config.runtime;
  const log = (opts.logger ?? createLogger(def.name, rt.logLevel)).child({ pipe: rt.pipe, mode: rt.mode });
  const metrics = createMetrics(def.name);
  const abort = new AbortController();
  /** Aborted when shutdown begins: a message waiting to be retried is dead-lettered at once. */
  const retryStop = new AbortController();
  // Each running handler may listen on the shutdown signal (a row wait, a
  // request), and each dispatcher slot may hold a message waiting for its
  // retry: more than Node's default 10 is normal here, not a leak.
  setMaxListeners(Math.max(100, rt.concurrency * 4), abort.signal, retryStop.signal);
  const helpers: Helpers<C> = { log, signal: abort.signal, config, registry: metrics.registry };
  const dead = new DeadLetterFile(rt.deadLetterFile, rt.pipe, (e) => log.error({ err: e }, 'cannot write dead-letter file'));
  const idPrefix = `${queueNameFor(rt.pipe)}:${Date.now().toString(36)}`;
  let seq = 0;
  const queueMode = rt.mode === 'queue';
  const readsPipe = !queueMode || rt.role !== 'consumer';
  const runsHandlers = !queueMode || rt.role !== 'relay';

  let stopping = false;
  let reader: PipeReader | undefined;
  let redis: Redis | undefined;
  let relay: QueueRelay | undefined;
  let consumer: BullWorker | undefined;
  let server: MetricsServer | undefined;
  let relaying: RelayJob[] = [];
  const highWater = Math.max(rt.concurrency * 4, 64);
  const dispatcher = new KeyedDispatcher(rt.concurrency, () => {
    if (dispatcher.size <= highWater / 2) reader?.resume('dispatch');
  });
  const reconciler = def.reconcile && runsHandlers
    ? new ReconcileScheduler(async () => {
        const report = (await def.reconcile!(helpers)) ?? { fixed: 0 };
        metrics.reconciled(report.fixed);
        log[report.fixed > 0 ? 'info' : 'debug']({ reconcile: report }, `reconcile fixed ${report.fixed}`);
        return { fixed: report.fixed, report };
      }, rt.reconcileIntervalMs, (e) => log.error({ err: e }, 'reconcile failed'))
    : undefined;

  /** Per-message helpers; the child logger is only built if the handler logs (it costs ~1 µs per message). */
  function helpersFor(bindings: Record<string, unknown>): Helpers<C> {
    let child: Logger | undefined;
    return {
      get log() {
        return (child ??= log.child(bindings));
      },
      signal: abort.signal,
      config,
      registry: metrics.registry,
    };
  }

  function refuse(reason: string, raw: Buffer | string, detail?: string, id?: string): void {
    metrics.invalid(reason);
    log.warn({ reason, detail, msgId: id, deadLetter: rt.deadLetterFile }, 'line refused');
    void dead.write(reason, raw, { detail, id });
  }

  /** Build and validate a message; undefined when refused. */
  function accept(raw: string, receivedAt: Date, id: string, attempt = 1): { m: Message<T>; key?: string } | undefined {
    const base = buildMessage(raw, { id, pipe: rt.pipe, receivedAt, attempt });
    try {
      const m = prepareMessage(def, base, helpersFor({ msgId: id }));
      return { m, key: def.key?.(m) };
    } catch (e) {
      const code = e instanceof InvalidMessageError ? e.code : 'KEY_FAILED';
      refuse(code.toLowerCase(), raw, (e as Error).message, id);
      return undefined;
    }
  }

  async function runHandler(m: Message<T>): Promise<void> {
    const h = helpersFor({ msgId: m.id, attempt: m.attempt });
    const end = metrics.handlerStart();
    try {
      await def.handle(m, h);
      end('handled');
    } catch (e) {
      if (e instanceof RolledBackError) {
        end('handled');
        metrics.rolledBack();
        h.log.info({ reason: e.message }, 'row never became visible: counted as rolled back');
        return;
      }
      end(e instanceof PermanentError ? 'permanent' : 'failed');
      h.log.error({ err: e, permanent: e instanceof PermanentError }, 'handler failed');
      throw e;
    }
  }

  /** Direct mode: runHandler (which logs and counts each failure) under the retry policy. */
  function runDirect(m: Message<T>): Promise<void> {
    return runWithRetry((attempt) => runHandler(attempt === 1 ? m : { ...m, attempt }), rt.direct, retryStop.signal, (why, err, attempts) => {
      log.error({ msgId: m.id, attempts, reason: why, deadLetter: rt.deadLetterFile }, 'handler gave up on the message: dead-lettered');
      void dead.write(`handler_${why}`, m.raw, { id: m.id, detail: `${attempts} run(s); last error: ${(err as Error)?.message ?? String(err)}` });
    });
  }

  function takeFrames(frames: FrameEvent[], receivedAt: Date): void | Promise<void> {
    const jobs: RelayJob[] = [];
    const receivedIso = relay ? receivedAt.toISOString() : '';
    for (const f of frames) {
      metrics.received();
      const id = `${idPrefix}:${++seq}`;
      if (f.kind === 'refused') {
        refuse(f.reason, f.raw, `${f.bytes} bytes`, id);
        continue;
      }
      const a = accept(f.text, receivedAt, id);
      if (!a) continue;
      if (relay) {
        jobs.push({ id, key: a.key, data: { raw: f.text, receivedAt: receivedIso, pipe: rt.pipe } });
      } else {
        dispatcher.push(() => runDirect(a.m), a.key);
      }
    }
    if (relay) {
      if (jobs.length === 0) return;
      relaying = jobs;
      const onRetry = (e: Error, attempt: number) => {
        if (attempt === 1 || attempt % 10 === 0) log.warn({ err: e.message, lines: jobs.length, attempt }, 'redis refused the relay batch: holding the pipe and retrying');
      };
      return relay.add(jobs, { signal: abort.signal, onRetry }).then(() => {
        relaying = [];
        metrics.relayed(jobs.length);
      });
    }
    if (dispatcher.size >= highWater) reader?.hold('dispatch');
  }

  async function start(): Promise<void> {
    if (def.start) await def.start(helpers);
    if (queueMode) {
      let lastRedisLog = 0;
      redis = createRedis(rt.redisUrl, {
        onError: (e) => {
          if (Date.now() - lastRedisLog < 10_000) return;
          lastRedisLog = Date.now();
          log.warn({ err: e.message }, 'redis unreachable: relay holds the pipe, consumers wait');
        },
      });
      if (readsPipe) relay = new QueueRelay(rt.queue, redis);
      const depthQueue = relay ?? new QueueRelay(rt.queue, redis);
      metrics.setQueueDepth(() => depthQueue.depth());
      if (runsHandlers) {
        consumer = startConsumer({
          cfg: rt.queue,
          connection: redis,
          concurrency: rt.concurrency,
          process: async (job) => {
            const a = accept(job.data.raw, new Date(job.data.receivedAt), job.id!, job.attemptsMade + 1);
            if (!a) throw new PermanentError('refused by parse (dead-lettered)');
            await runHandler(a.m);
          },
          onExhausted: (job, err) =>
            log.error({ msgId: job.id, attempts: job.attemptsMade, err: err.message, queue: rt.queue.name },
              'job failed for good: kept in the failed set'),
          onError: (e) => log.warn({ err: e.message }, 'queue consumer error'),
        });
      }
    }
    if (readsPipe) {
      reader = new PipeReader({
        pipe: rt.pipe,
        mode: rt.pipeMode,
        group: rt.pipeGroup,
        maxLineBytes: rt.maxLineBytes,
        onFrames: takeFrames,
        onError: (e) => log.error({ err: e }, 'pipe reader error'),
        onReopen: (reason) => log.warn({ reason }, 'pipe was removed or replaced under the worker: re-created and re-opened'),
      });
      await reader.start();
      log.info({ created: reader.created, queue: relay ? rt.queue.name : undefined }, 'reading pipe');
    }
    if (rt.metricsPort !== undefined) {
      server = await startMetricsServer({
        port: rt.metricsPort,
        host: rt.metricsHost,
        registry: metrics.registry,
        health: () => ({
          ok: !stopping && (!readsPipe || reader?.isOpen === true) && (!consumer || consumer.isRunning()),
          worker: def.name,
          pipe: rt.pipe,
          mode: rt.mode,
          stopping,
          ...metrics.snapshot,
        }),
      });
      log.info({ port: server.port }, 'metrics on /metrics, health on /healthz');
    }
    if (stopping) return;
    void reconciler?.start();
  }

  async function shutdown(): Promise<void> {
    const deadline = Date.now() + rt.shutdownTimeoutMs;
    const left = () => Math.max(0, deadline - Date.now());
    log.info({ inFlight: metrics.snapshot.inFlight, queued: dispatcher.size }, 'stopping');
    retryStop.abort();
    if (reader && !(await within(reader.stop(), left()))) {
      // Redis still down at the deadline: keep the lines we took, for a person to replay.
      for (const j of relaying) void dead.write('unrelayed_at_shutdown', j.data.raw, { id: j.id });
      log.error({ lines: relaying.length, deadLetter: rt.deadLetterFile }, 'could not relay lines before the deadline');
    }
    if (consumer && !(await within(consumer.close(), left()))) {
      abort.abort();
      await within(consumer.close(true), 1000);
    }
    if (!(await within(dispatcher.idle(), left()))) {
      log.warn({ inFlight: dispatcher.size }, 'shutdown deadline passed with handlers running: aborting them');
      abort.abort();
      await within(dispatcher.idle(), 1000);
    }
    if (!(await within(reconciler?.stop(), left()))) abort.abort();
    abort.abort();
    if (def.stop) await def.stop(helpers).catch((e: unknown) => log.error({ err: e }, 'worker stop() failed'));
    // Closing a queue waits on Redis; never let an outage hold the exit.
    await within(relay?.close().catch(() => {}), 2000);
    redis?.disconnect();
    await dead.flush();
    await server?.close();
    log.info({ metrics: metrics.snapshot }, 'stopped');
  }

  let stopPromise: Promise<void> | undefined;
  let resolveDone!: () => void;
  let rejectDone!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => {});

  const ready = start();
  ready.catch(async (e: unknown) => {
    log.fatal({ err: e }, 'worker could not start');
    stopping = true;
    await shutdown().catch(() => {});
    rejectDone(e);
  });

  function stop(): Promise<void> {
    stopPromise ??= (async () => {
      stopping = true;
      const started = await ready.then(() => true, () => false);
      if (!started) return done.catch(() => {});
      await shutdown();
      resolveDone();
    })();
    return stopPromise;
  }

  return {
    ready,
    stop,
    done,
    metrics: metrics.snapshot,
    registry: metrics.registry,
    get metricsPort() {
      return server?.port;
    },
    reconcileNow: async () => (await reconciler?.runNow())?.fixed,
  };
}
