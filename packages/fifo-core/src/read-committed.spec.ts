import { describe, expect, it } from 'vitest';
import { lockingSql } from './read-committed.ts';

describe('lockingSql', () => {
  it('bounds a MariaDB locking read by the time left, to the millisecond', () => {
    expect(lockingSql('mariadb', 'SELECT id FROM t WHERE id = ?', 1500)).toBe(
      'SET STATEMENT max_statement_time=1.500, innodb_lock_wait_timeout=2 FOR SELECT id FROM t WHERE id = ? LOCK IN SHARE MODE',
    );
    expect(lockingSql('mariadb', 'SELECT 1', 40)).toContain('max_statement_time=0.040, innodb_lock_wait_timeout=1 ');
  });

  it('on MySQL uses whole seconds, and gives up (plain re-reads) under one second', () => {
    expect(lockingSql('mysql', 'select id from t where id = ?', 2500)).toBe(
      'SELECT /*+ SET_VAR(innodb_lock_wait_timeout=2) */ id from t where id = ? FOR SHARE',
    );
    expect(lockingSql('mysql', 'SELECT 1', 900)).toBeUndefined();
  });
});
