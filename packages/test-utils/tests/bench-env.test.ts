// The benches' environment readers: a value is taken, a missing one falls
// back, and a bad one stops the run with a message naming the variable.
import { describe, expect, it } from 'vitest';
import { benchChoices, benchInt, benchInts, benchString } from '../src/index.ts';

describe('benchInt', () => {
  it('reads a positive integer, with _ as a digit separator', () => {
    expect(benchInt('X_BENCH_ROWS', 5, { X_BENCH_ROWS: '200_000' })).toBe(200_000);
  });
  it('falls back when the variable is unset or empty', () => {
    expect(benchInt('X_BENCH_ROWS', 5, {})).toBe(5);
    expect(benchInt('X_BENCH_ROWS', 5, { X_BENCH_ROWS: '' })).toBe(5);
  });
  it.each(['0', '-3', '1.5', 'many', '10k'])('refuses %j, naming the variable', (raw) => {
    expect(() => benchInt('X_BENCH_ROWS', 5, { X_BENCH_ROWS: raw })).toThrow(`X_BENCH_ROWS must be a positive integer, got ${JSON.stringify(raw)}`);
  });
});

describe('benchInts', () => {
  it('reads a comma-separated list', () => {
    expect(benchInts('X_BENCH_SIZES', [1], { X_BENCH_SIZES: '1000, 10_000' })).toEqual([1000, 10_000]);
    expect(benchInts('X_BENCH_SIZES', [1], {})).toEqual([1]);
  });
  it('refuses a list with a bad entry', () => {
    expect(() => benchInts('X_BENCH_SIZES', [1], { X_BENCH_SIZES: '1000,,5' })).toThrow(/^X_BENCH_SIZES must be positive integers/);
  });
});

describe('benchChoices', () => {
  const all = ['ipset', 'iptables', 'dry-run'] as const;
  it('reads a subset of the allowed values', () => {
    expect(benchChoices('X_BENCH_BACKENDS', all, all, { X_BENCH_BACKENDS: 'ipset, dry-run' })).toEqual(['ipset', 'dry-run']);
    expect(benchChoices('X_BENCH_BACKENDS', ['ipset'], all, {})).toEqual(['ipset']);
  });
  it('refuses a value outside them and lists the allowed ones', () => {
    expect(() => benchChoices('X_BENCH_BACKENDS', all, all, { X_BENCH_BACKENDS: 'ipset,nftables' })).toThrow(
      'X_BENCH_BACKENDS must list some of ipset, iptables, dry-run (comma separated), got "ipset,nftables"',
    );
  });
});

describe('benchString', () => {
  it('reads a value, or falls back when unset or empty', () => {
    expect(benchString('X_BENCH_STACK', 'main', { X_BENCH_STACK: 'bench' })).toBe('bench');
    expect(benchString('X_BENCH_STACK', 'main', { X_BENCH_STACK: '' })).toBe('main');
  });
});
