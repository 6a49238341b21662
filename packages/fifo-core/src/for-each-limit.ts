// Run fn over items with at most `concurrency` at once: what reconcile passes
// and batch renders use to keep the database and disk busy without flooding them.
// Rejects with the first error; lanes already running finish their item.
export async function forEachLimit<T>(items: Iterable<T>, concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  const it = items[Symbol.iterator]();
  const lanes = Array.from({ length: Math.max(1, concurrency) }, async () => {
    for (let next = it.next(); !next.done; next = it.next()) await fn(next.value);
  });
  await Promise.all(lanes);
}
