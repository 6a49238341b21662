// Waiting on something that cannot itself be cancelled (a statement already
// sent, a Redis script) while shutdown may begin: stop waiting at once, let
// the operation end by its own bound, and drop its late result or error.

/** What `abortable` resolves with when the signal aborted first. */
export const ABORTED: unique symbol = Symbol('aborted');

/** Resolves like `p`, or with ABORTED as soon as `signal` aborts (also when it already has). */
export function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T | typeof ABORTED> {
  if (!signal) return p;
  p.catch(() => {}); // a late error after abort is nobody's business
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve(ABORTED);
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
