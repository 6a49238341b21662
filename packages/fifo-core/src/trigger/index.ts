// `@dbfifo/fifo-core/trigger`: the trigger generator for other tools (the
// benchmarks, a worker scaffold). The `dbfifo trigger` command is command.ts.
export { GENERATOR_VERSION, TRIGGER_EVENTS, insertDoorbell, type TriggerEvent, type TriggerOptions, type TriggerHeader } from './options.ts';
export type { TableMeta, ColumnMeta } from './table-meta.ts';
export { readTable, readTriggers, udfLoaded } from './catalog.ts';
export { planTriggers, createTriggerSql, dropTriggerSql, triggerBody, dryRunSql, optionProblems, sizeWarnings, type TriggerPlan } from './generate.ts';
export { doorbellParts, doorbellSql, doorbellExample } from './doorbell.ts';
export { addTriggers, installTriggers, requireFifoWrite } from './install.ts';
export { quoteIdent, quoteQualified, sqlString } from './sql-text.ts';
export { parseTriggerArgs, UsageError, type TriggerCommand } from './argv.ts';
