// The one error this package adds: an address the worker will not hand to
// the kernel. It is a PermanentError: retrying a refused address never helps.
import { PermanentError } from '@dbfifo/fifo-core';

export type RefusalCode = 'INVALID_ADDRESS' | 'CIDR_NOT_ALLOWED' | 'ALLOWLISTED';

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
