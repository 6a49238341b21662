export * from './stack-env.ts';
export * from './database.ts';
export * from './pipes.ts';
export * from './wait-for.ts';
export * from './temp-dir.ts';
export * from './bench-env.ts';
export * from './private-redis.ts';
