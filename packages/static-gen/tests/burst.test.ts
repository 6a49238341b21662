// A burst of doorbells is one render pass: a transaction that publishes 30
// articles puts 30 pages on disk with one index refresh, and prints nothing
// alarming on the way (Node's MaxListenersExceededWarning looks like a leak).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@dbfifo/test-utils';
import { PUBLISH, startTestSite, type TestSite } from './helpers.ts';

let t: TestSite;
const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);
beforeAll(async () => {
  process.on('warning', onWarning);
  t = await startTestSite({ STATIC_ROW_WAIT_MS: '10000' }); // however slow the machine, the commit-wait outlasts the transaction
});
afterAll(async () => {
  process.off('warning', onWarning);
  await t?.close();
});

describe('a burst', () => {
  it('a 30-article transaction: every page rendered once, a few index refreshes, no MaxListenersExceededWarning', async () => {
    await t.settled();
    const before = { ...t.worker.app!.site.stats };
    const batchesBefore = t.worker.app!.batchStats.batches;
    await t.sql.beginTransaction();
    for (let i = 0; i < 30; i++) await t.sql.query(PUBLISH, [`burst-${i}`, `Burst ${i}`, '', '<p>x</p>', '']);
    await t.sql.commit();
    await waitFor(async () => (await Promise.all(Array.from({ length: 30 }, (_, i) => t.page(`burst-${i}`)))).every(Boolean), { message: '30 pages' });
    await t.settled();
    await new Promise((r) => setTimeout(r, 100)); // a warning is emitted on a later tick
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
    const stats = t.worker.app!.site.stats;
    expect(stats.renders - before.renders).toBe(30);
    // Batches that took doorbells before the COMMIT wait for it (at most two at once); the rest gather into one more.
    expect(t.worker.app!.batchStats.batches - batchesBefore).toBeLessThanOrEqual(3);
    expect(stats.indexRefreshes - before.indexRefreshes).toBeLessThanOrEqual(3);
  });
});
