// startWorker: wires reader → pending set → (direct: batches through the
// handler | queue: relay into BullMQ) and/or BullMQ consumer → handler, plus
// reconcile, catch-up, metrics and graceful stop. Each piece lives in its own
// file; this one only decides who talks to whom.
import { setMaxListeners } from 'node:events';
import { UnrecoverableError, type Worker as BullWorker } from 'bullmq';
import type { Redis } from 'ioredis';
import { CatchUp, type CatchUpReason } from './catch-up.ts';
import { queueNameFor, withDefinitionDefaults, type DatabaseConfig, type RuntimeConfig } from './config.ts';
import type { Helpers, Message, WorkerDefinition } from './contract.ts';
import type { DeadLetterReason } from './codes.ts';
import { DeadLetterFile } from './dead-letter.ts';
import { directBatchRunner } from './direct-path.ts';
import { Dispatcher } from './dispatcher.ts';
import { CallHelpers } from './call-helpers.ts';
import { createConsumerPath } from './consumer-path.ts';
import { createIntake } from './intake.ts';
import { startMetricsServer, type MetricsServer } from './http-server.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type WorkerMetricsSnapshot } from './metrics.ts';
import { PendingSet } from './pending.ts';
import { loadPipeControl } from './pipe-fcntl.ts';
import { PipeReader } from './pipe-reader.ts';
import { startConsumer } from './queue-consumer.ts';
import { QueueRelay } from './queue-relay.ts';
import { ReconcileScheduler } from './reconcile-scheduler.ts';
import { createRedis } from './redis.ts';
import { CATCH_UP_KEY, createRelayPath, type RelayPath } from './relay-path.ts';
import { within } from './within.ts';

export interface WorkerConfig {
  runtime: RuntimeConfig;
  db: DatabaseConfig;
}

export interface RunningWorker {
  /** Resolves once the reader is open (and the first reconcile has been started). */
  ready: Promise<void>;
  /** Graceful stop: stop reading, finish pending and in-flight work within shutdownTimeoutMs, run def.stop, close queues. */
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
  /** True while a catch-up from the rows is under way (doorbells may have been lost). */
  readonly catchingUp: boolean;
}

export function startWorker<C extends WorkerConfig, T>(
  def: WorkerDefinition<C, T>,
  givenConfig: C,
  opts: { logger?: Logger } = {},
): RunningWorker {
  const rt = withDefinitionDefaults(givenConfig.runtime, def.defaults);
  const config: C = { ...givenConfig, runtime: rt };
  const log = (opts.logger ?? createLogger(def.name, rt.logLevel)).child({ pipe: rt.pipe, mode: rt.mode });
  const metrics = createMetrics(def.name, def.handleBatch !== undefined);
  const abort = new AbortController();
  // Each running handler may listen on the shutdown signal (a row wait, a
  // request): more than Node's default 10 is normal here, not a leak.
  setMaxListeners(Math.max(100, rt.concurrency * 4), abort.signal);
  const helpers: Helpers<C> = { log, signal: abort.signal, config, registry: metrics.registry };
  const dead = new DeadLetterFile(rt.deadLetterFile, rt.pipe, (e) => log.error({ err: e }, 'cannot write dead-letter file'));
  const idPrefix = `${queueNameFor(rt.pipe)}:${Date.now().toString(36)}`;
  let seq = 0;
  const nextId = () => `${idPrefix}:${++seq}`;
  const queueMode = rt.mode === 'queue';
  const readsPipe = !queueMode || rt.role !== 'consumer';
  const runsHandlers = !queueMode || rt.role !== 'relay';

  let stopping = false;
  let reader: PipeReader | undefined;
  let redis: Redis | undefined;
  let relay: QueueRelay | undefined;
  let relayPath: RelayPath<T> | undefined;
  let consumer: BullWorker | undefined;
  let server: MetricsServer | undefined;

  const helpersFor = (bindings: Record<string, unknown>): Helpers<C> => new CallHelpers(log, bindings, abort.signal, config, metrics.registry);

  // What the reader fills: in direct mode the handlers' pending set, in a relay the set Redis is fed from.
  const pending = new PendingSet<T>({ max: rt.pendingMax, merge: def.merge });
  metrics.setPending(() => pending.size);
  const deadLetter = (reason: DeadLetterReason, m: Message<T>, detail: string) => void dead.write(reason, m.raw, { id: m.id, detail });

  const reconciler = def.reconcile && runsHandlers
    ? new ReconcileScheduler(async () => {
        const report = (await def.reconcile!(helpers)) ?? { fixed: 0 };
        metrics.reconciled(report.fixed);
        log[report.fixed > 0 ? 'info' : 'debug']({ reconcile: report }, `reconcile fixed ${report.fixed}`);
        return report;
      }, rt.reconcileIntervalMs, (e) => log.error({ err: e }, 'reconcile failed'))
    : undefined;
  const catchUp = reconciler
    ? new CatchUp({
        reconciler,
        settleMs: rt.catchUpSettleMs,
        hasCapacity: () => queueMode || pending.size <= pending.max / 2,
        log,
        counted: (reason) => metrics.catchUp(reason),
        signal: abort.signal,
      })
    : undefined;

  const dispatcher = readsPipe
    ? new Dispatcher<T>({
        pending,
        ...(queueMode
          ? { slots: 1, batchMax: 1000, lingerMs: 0, run: (entries) => relayPath!.run(entries) }
          : {
              slots: rt.concurrency,
              batchMax: def.handleBatch ? rt.batchMax : 1,
              lingerMs: rt.batchLingerMs,
              run: directBatchRunner({ def, pending, retry: rt.direct, helpersFor, metrics, log, deadLetter, gaveUp: giveUpToCatchUp, stopping: () => stopping }),
            }),
        onError: (e) => log.error({ err: e }, 'batch failed unexpectedly'),
        onSettled: () => catchUp?.wake(),
      })
    : undefined;

  /** Doorbells may have been lost: catch up here (direct mode), or ask the consumers through the queue (relay). */
  function lost(reason: CatchUpReason, n: number): void {
    if (relayPath) {
      relayPath.owe(reason, n);
      metrics.catchUp(reason);
      // One marker carries everything owed (owe() adds up): a second would be merged by the worker's merge, which reads bodies a marker has not.
      if (!pending.has(CATCH_UP_KEY)) {
        pending.add(catchUpMarker(), CATCH_UP_KEY, Date.now(), { always: true });
        dispatcher!.kick();
      }
      return;
    }
    catchUp?.lost(reason, n);
  }
  // Direct mode has a CatchUp exactly when the worker has a reconcile; in queue mode the consumers run it.
  const canCatchUp = def.reconcile !== undefined;

  /** A handler gave up on a doorbell; its row is found again by a catch-up, when the worker can catch up. */
  function giveUpToCatchUp(): boolean {
    if (!canCatchUp || stopping) return false;
    lost('handler_gave_up', 1);
    return true;
  }

  function catchUpMarker(): Message<T> {
    return { raw: '', json: undefined, body: undefined as T, receivedAt: new Date(), id: nextId(), pipe: rt.pipe, attempt: 1, merged: 1 };
  }

  const intake = createIntake({
    def,
    rt,
    pending,
    metrics,
    log,
    dead,
    helpersFor,
    nextId,
    // A relay tracks doorbells until its bound; the catch-up it owes runs elsewhere.
    catchUpDue: () => !queueMode && catchUp?.awaitingPass === true,
    canCatchUp,
    lost,
    kick: () => dispatcher!.kick(),
  });
  const consumerPath = runsHandlers && queueMode ? createConsumerPath({ def, rt, intake, metrics, log, helpersFor, catchUp }) : undefined;

  async function start(): Promise<void> {
    if (!def.handle && !def.handleBatch) throw new TypeError(`worker ${(def as { name: string }).name}: its definition needs handle(message) or handleBatch(messages)`);
    if (def.start) await def.start(helpers);
    if (queueMode) {
      let lastRedisLog = 0;
      redis = createRedis(rt.redisUrl, {
        onError: (e) => {
          relayPath?.noteOutage();
          if (Date.now() - lastRedisLog < 10_000) return;
          lastRedisLog = Date.now();
          log.warn({ err: e.message, pending: pending.size }, 'redis unreachable: the relay keeps reading the pipe and holds lines pending; consumers wait');
        },
      });
      relay = new QueueRelay(rt.queue, redis);
      if (readsPipe) relayPath = createRelayPath({ relay, pending, metrics, log, pipe: rt.pipe, onOutage: () => canCatchUp && lost('redis_outage', 0) });
      metrics.setQueueDepth(() => relay!.depth());
      if (consumerPath) {
        consumer = startConsumer({
          cfg: rt.queue,
          connection: redis,
          concurrency: consumerPath.concurrency,
          process: consumerPath.consume,
          onExhausted: (job, err) => {
            log.error({ msgId: job.id, attempts: job.attemptsMade, err: err.message, queue: rt.queue.name }, 'job failed for good: kept in the failed set');
            // A doorbell (it has a key) that failed for good: its row is still undone; catch up here.
            if (job.deduplicationId !== undefined && !(err instanceof UnrecoverableError)) catchUp?.lost('handler_gave_up', 1);
          },
          onError: (e) => log.warn({ err: e.message }, 'queue consumer error'),
        });
      }
    }
    if (readsPipe) {
      const control = loadPipeControl();
      if ('missing' in control) log.warn({ why: control.missing }, 'pipe size cannot be set or watched (native addon missing): assuming 64 KiB, a full pipe is only guessed');
      reader = new PipeReader({
        pipe: rt.pipe,
        mode: rt.pipeMode,
        group: rt.pipeGroup,
        maxLineBytes: rt.maxLineBytes,
        pipeSize: rt.pipeSize,
        ...('missing' in control ? {} : { control }),
        onFrames: intake.takeFrames,
        onFull: () => lost('pipe_full', 0),
        onError: (e) => log.error({ err: e }, 'pipe reader error'),
        onReopen: (reason) => log.warn({ reason }, 'pipe was removed or replaced under the worker: re-created and re-opened'),
      });
      await reader.start();
      log.info({ created: reader.created, capacity: reader.capacity, queue: relay ? rt.queue.name : undefined }, 'reading pipe');
      // A relay of its own cannot know what writers lost while no one read the pipe; the consumers reconcile.
      if (queueMode && rt.role === 'relay' && canCatchUp) lost('relay_start', 0);
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
          catchingUp: catchUp?.active ?? false,
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
    log.info({ inFlight: metrics.snapshot.inFlight, pending: pending.size }, 'stopping');
    await reader?.stop();
    // Retries still waiting for their time are not waited for: set aside now.
    for (const e of pending.takeDelayed()) {
      if (e.key === CATCH_UP_KEY) continue; // the runtime's marker is no line: nothing to set aside
      if (relayPath) void dead.write('unrelayed_at_shutdown', e.message.raw, { id: e.message.id });
      else deadLetter('handler_shutdown', e.message, `${e.attempts} run(s) failed; shutdown before the next`);
    }
    if (dispatcher) {
      dispatcher.drain();
      if (!(await within(dispatcher.idle(), left()))) {
        log.warn({ inFlight: metrics.snapshot.inFlight, pending: pending.size }, 'shutdown deadline passed with work running: aborting it');
        abort.abort();
        await within(dispatcher.idle(), 1000);
      }
      dispatcher.stop();
      // Whatever is still pending was taken off the pipe and not handled: set aside for a person.
      const leftover = [...pending.takeAll().map((e) => e.message), ...(relayPath?.inFlight ?? [])].filter((m) => m.raw !== '');
      for (const m of leftover) void dead.write(relayPath ? 'unrelayed_at_shutdown' : 'unhandled_at_shutdown', m.raw, { id: m.id });
      if (leftover.length) log.error({ lines: leftover.length, deadLetter: rt.deadLetterFile }, 'lines taken off the pipe could not be handed on before the deadline: dead-lettered');
    }
    if (consumer && !(await within(consumer.close(), left()))) {
      abort.abort();
      await within(consumer.close(true), 1000);
    }
    await within(consumerPath?.drain(), left());
    if (!(await within(reconciler?.stop(), left()))) abort.abort();
    abort.abort();
    if (def.stop) await def.stop(helpers).catch((e: unknown) => log.error({ err: e }, 'worker stop() failed'));
    // Closing a queue waits on Redis; never let an outage hold the exit.
    await within(relay?.close().catch(() => {}), 2000);
    redis?.disconnect();
    await dead.flush();
    await server?.close();
    log.info({ metrics: { ...metrics.snapshot } }, 'stopped');
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
    get catchingUp() {
      return catchUp?.active ?? false;
    },
    reconcileNow: async () => (await reconciler?.runNow())?.fixed,
  };
}
