// How evenly a limiter spread its grants (or the API saw its requests):
// shared by the rate tests. Times in ms, sorted.

/** Most times inside any window of `ms`. */
export function worstWindow(times: number[], ms: number): number {
  let worst = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (j < times.length && times[j]! - times[i]! < ms) j++;
    worst = Math.max(worst, j - i);
  }
  return worst;
}

/** Mean rate per second from the first time to the last. */
export function meanRatePerSec(times: number[]): number {
  return ((times.length - 1) * 1000) / (times[times.length - 1]! - times[0]!);
}
