// Run fn over items with at most `concurrency` at once (render + write is I/O
// bound; a few in parallel keep the disk and the database busy).
export async function forEachLimit<T>(items: Iterable<T>, concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  const it = items[Symbol.iterator]();
  const lanes = Array.from({ length: Math.max(1, concurrency) }, async () => {
    for (let next = it.next(); !next.done; next = it.next()) await fn(next.value);
  });
  await Promise.all(lanes);
}
