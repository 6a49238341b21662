// The errors this package adds, and its code registry. A refusal is an
// address the worker will not hand to the kernel: a PermanentError, since
// retrying a refused address never helps, though the worker treats it as a
// handled outcome (the row is closed with the reason). A CommandError is a
// kernel command that failed: retried, then dead-lettered with a catch-up.
import { PermanentError } from '@dbfifo/fifo-core';

/** Why an address was refused: `removed_reason = 'refused'`, the message in `note`, `refusal` in the warning. Each is in README.md. */
export const FIREWALL_CODES = {
  INVALID_ADDRESS: 'not an IPv4/IPv6 address or network: characters outside [0-9A-Fa-f:.] and /prefix, a zone id, a malformed or out-of-range prefix length, the whole IPv4 space',
  CIDR_NOT_ALLOWED: 'a network (a.b.c.d/n) while FIREWALL_ALLOW_CIDR is false',
  ALLOWLISTED: 'loopback or covered by / overlapping an entry of FIREWALL_ALLOWLIST',
} as const;

export type RefusalCode = keyof typeof FIREWALL_CODES;

export class RefusedAddressError extends PermanentError {
  override name = 'RefusedAddressError';
  constructor(
    message: string,
    readonly refusal: RefusalCode,
    readonly input: unknown,
  ) {
    super(message, refusal);
  }
}

/** An ipset/iptables command that failed: names the command, its exit code and stderr. */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(`${argv.join(' ')} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim().slice(0, 500) || 'no output'}`, options);
  }
}
