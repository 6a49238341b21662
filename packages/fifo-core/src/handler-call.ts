// One handler call, whatever the worker's shape: a batch handler gets the
// messages at once, a single handler gets its one message. The answer is per
// message: undefined when handled, else what it failed with. Never throws.
import { PermanentError, type Helpers, type Message, type WorkerDefinition } from './contract.ts';
import { RolledBackError } from './errors.ts';
import type { Outcome } from './metrics.ts';

export async function callHandler<C, T>(def: WorkerDefinition<C, T>, messages: Message<T>[], helpers: Helpers<C>): Promise<unknown[]> {
  try {
    if (def.handleBatch) {
      const r = await def.handleBatch(messages, helpers);
      if (!r) return messages.map(() => undefined);
      if (r.length !== messages.length) {
        const e = new Error(`handleBatch returned ${r.length} outcomes for ${messages.length} messages`);
        return messages.map(() => e);
      }
      return [...r];
    }
    const out: unknown[] = [];
    for (const m of messages) {
      try {
        await def.handle(m, helpers);
        out.push(undefined);
      } catch (e) {
        out.push(e ?? new Error('handler rejected without a reason'));
      }
    }
    return out;
  } catch (e) {
    return messages.map(() => e ?? new Error('handler threw without a reason'));
  }
}

/** What an outcome means to the runtime: counted, and whether retrying may help. */
export function outcomeOf(err: unknown): Outcome {
  if (err === undefined) return 'handled';
  if (err instanceof RolledBackError) return 'rolled_back';
  if (err instanceof PermanentError) return 'permanent';
  return 'failed';
}
