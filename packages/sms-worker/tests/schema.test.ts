// sql/sms/schema.sql loaded over a table made by the previous version (no
// claim_token, no 'unknown' status): the table is upgraded in place, its rows
// kept, and the worker then sends what was pending.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxRows, SCHEMA, smsFixture, startedWorker, type Fixture } from './fixture.ts';

// The table as the previous sql/sms/schema.sql created it.
const PREVIOUS_TABLE = `CREATE TABLE sms_outbox (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  mobile        VARCHAR(50) NOT NULL,
  body          TEXT NOT NULL,
  status        ENUM('pending','sending','sent','failed','parked') NOT NULL DEFAULT 'pending',
  to_e164       VARCHAR(20) NULL,
  provider_sid  VARCHAR(64) NULL,
  attempts      INT UNSIGNED NOT NULL DEFAULT 0,
  last_error    VARCHAR(1024) NULL,
  error_code    VARCHAR(32) NULL,
  line_id       VARCHAR(191) NULL,
  created_at    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  claimed_at    TIMESTAMP(3) NULL DEFAULT NULL,
  sent_at       TIMESTAMP(3) NULL DEFAULT NULL,
  UNIQUE KEY sms_outbox_provider_sid (provider_sid),
  UNIQUE KEY sms_outbox_line_id (line_id),
  KEY sms_outbox_status (status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

let fx: Fixture;
beforeAll(async () => {
  fx = await smsFixture();
});
afterAll(() => fx.close());

describe('sql/sms/schema.sql over the previous table', () => {
  it('adds claim_token and the unknown status, keeps the rows, and the worker sends the pending one', async () => {
    await fx.sql.query('DROP TABLE sms_outbox');
    await fx.sql.query(PREVIOUS_TABLE);
    await fx.sql.query(`INSERT INTO sms_outbox (mobile, body, status, provider_sid, attempts) VALUES
      ('13113668891', 'sent before the upgrade', 'sent', 'SM0123', 1), ('13113668892', 'waiting', 'pending', NULL, 0)`);
    await fx.load(SCHEMA);
    await fx.load(SCHEMA); // again: a no-op
    const [cols] = await fx.sql.query(`SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'sms_outbox' AND COLUMN_NAME IN ('status', 'claim_token') ORDER BY COLUMN_NAME`);
    expect(cols).toEqual([
      { name: 'claim_token', type: 'char(36)' },
      { name: 'status', type: "enum('pending','sending','sent','failed','parked','unknown')" },
    ]);
    const w = await startedWorker(fx.config());
    try {
      expect(await w.worker.reconcile!(w.helpers)).toMatchObject({ fixed: 1, more: false });
    } finally {
      await w.stop();
    }
    expect(fx.api.messages().map((m) => m.body)).toEqual(['waiting']);
    expect(await outboxRows(fx.sql)).toMatchObject([
      { body: 'sent before the upgrade', status: 'sent', provider_sid: 'SM0123' },
      { body: 'waiting', status: 'sent' },
    ]);
  });
});
