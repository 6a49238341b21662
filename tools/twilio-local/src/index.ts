export { startTwilioLocal, type TwilioLocal, type TwilioLocalOptions, type ReceivedRequest } from './server.ts';
export { defaultFaults, type FaultConfig, type InjectedError } from './faults.ts';
export type { StoredMessage } from './store.ts';
