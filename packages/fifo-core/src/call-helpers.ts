// The helpers one handler call gets. Built per call, so it must be cheap: the
// child logger (bound to the call's message id or batch size) is made only if
// the handler logs, since making one costs about a microsecond, which at
// reader speed is a large part of a message's budget.
import type { Registry } from 'prom-client';
import type { Helpers } from './contract.ts';
import type { Logger } from './logger.ts';

export class CallHelpers<C> implements Helpers<C> {
  private child: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Record<string, unknown>,
    readonly signal: AbortSignal,
    readonly config: C,
    readonly registry: Registry,
  ) {}

  get log(): Logger {
    return (this.child ??= this.parent.child(this.bindings));
  }
}
