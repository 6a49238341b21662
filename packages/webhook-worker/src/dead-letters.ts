// What a person does with dead-lettered rows (the `webhook-worker` command,
// src/cli.ts): list them, and send them again now, each as it is now. It
// takes the rows' locks like the worker, so a running worker is no obstacle.
import type { Logger } from '@dbfifo/fifo-core';
import { busyWaitMs, type WebhookConfig } from './config.ts';
import { openDelivery } from './delivery/open.ts';
import { refsByTable } from './delivery/row-key.ts';

export async function listDeadLetters(config: WebhookConfig, log: Logger, write: (s: string) => void): Promise<number> {
  const d = await openDelivery(config, { log, connections: 2, lockSessions: 1, counted: () => {}, retryIn: () => {} });
  try {
    const dead = await d.rows.deadLetters();
    if (dead.length === 0) write('no dead letters\n');
    for (const l of dead) write(`${l.id}  ${l.table} ${l.rowKey}  dead since ${l.deadAt} after ${l.attempts} tries  ${l.code ?? ''}: ${l.error ?? ''}\n`);
    return 0;
  } finally {
    await d.close();
  }
}

/** Revives the dead letters named (or all) and delivers them now; 0 when each was delivered (or is in line). */
export async function redeliver(config: WebhookConfig, which: string[] | 'all', log: Logger, write: (s: string) => void): Promise<number> {
  const d = await openDelivery(config, { log, connections: 4, lockSessions: 1, counted: () => {}, retryIn: () => {} });
  try {
    const revived = await d.rows.revive(which);
    if (revived.length === 0) {
      write(which === 'all' ? 'no dead letters\n' : `no dead letter with id ${which.join(', ')}\n`);
      return which === 'all' ? 0 : 1;
    }
    const byTable = refsByTable(revived);
    let bad = 0;
    const c = config.webhook;
    for (const [table, refs] of byTable) {
      const t = d.tables.get(table);
      if (!t) {
        write(`${table}: not in WEBHOOK_TABLES; its ${refs.length} row(s) stay due for a worker that serves it\n`);
        bad += refs.length;
        continue;
      }
      const out = await d.deliverer.deliver(t, refs, { retrying: true, waitBusyMs: busyWaitMs(c), signal: new AbortController().signal, log });
      for (const [key, result] of out) {
        write(`${table} ${key}: ${result}\n`);
        if (!['delivered', 'in-line', 'forgotten'].includes(result)) bad++;
      }
    }
    return bad === 0 ? 0 : 1;
  } finally {
    await d.close();
  }
}
