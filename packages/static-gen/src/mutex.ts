// One writer at a time over the output folder: live batches, reconcile chunks
// and template reloads take turns, so an orphan sweep can never delete a page
// that a concurrent batch has just published.
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  async run<R>(fn: () => Promise<R>): Promise<R> {
    const prev = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
