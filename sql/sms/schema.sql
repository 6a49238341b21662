-- sms-worker: the outbox table and the trigger that rings the `sms` pipe.
--
-- Load with the mariadb CLI (DELIMITER is a client command):
--   mariadb dbfifo < sql/sms/schema.sql
-- Needs the UDFs from sql/install.sql (fifo_write). The pipe is named bare
-- ('sms'): fifo.so resolves names inside its one allowed directory, so no host
-- path lives in SQL. The worker (packages/sms-worker) reads that pipe.
--
-- Insert a row to send a text:
--   INSERT INTO sms_outbox (mobile, body) VALUES ('13113668891', 'Your code is 1234');
-- The row is the truth; the line {"table":"sms_outbox","op":"insert","id":N}
-- is only a doorbell. The worker claims the row (pending -> sending), sends it
-- through Twilio and records the outcome (sent + provider_sid, or failed +
-- last_error). A line that never arrives is caught by the worker's reconcile.

CREATE TABLE IF NOT EXISTS sms_outbox (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  mobile        VARCHAR(50) NOT NULL,                 -- as written; normalised copy in to_e164
  body          TEXT NOT NULL,
  -- pending: waiting; sending: claimed by a worker (claimed_at); sent: provider
  -- accepted it (provider_sid); failed: refused for good (last_error); parked:
  -- outcome unknown after a crash and SMS_RECOVERY=park, a person decides.
  status        ENUM('pending','sending','sent','failed','parked') NOT NULL DEFAULT 'pending',
  to_e164       VARCHAR(20) NULL,
  provider_sid  VARCHAR(64) NULL,
  attempts      INT UNSIGNED NOT NULL DEFAULT 0,      -- create requests made for this row
  last_error    VARCHAR(1024) NULL,
  error_code    VARCHAR(32) NULL,                     -- Twilio code (21211, 20003 …) or ours (INVALID_NUMBER)
  -- Set when the row was made from a bare mobile-number line (the article's
  -- form): the line's id, so a redelivered line never makes a second row.
  line_id       VARCHAR(191) NULL,
  created_at    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  claimed_at    TIMESTAMP(3) NULL DEFAULT NULL,
  sent_at       TIMESTAMP(3) NULL DEFAULT NULL,
  UNIQUE KEY sms_outbox_provider_sid (provider_sid),   -- one provider message belongs to one row
  UNIQUE KEY sms_outbox_line_id (line_id),
  KEY sms_outbox_status (status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

DROP TRIGGER IF EXISTS sms_outbox_after_insert;

DELIMITER //

-- Must never fail the INSERT: fifo_write answers 'false' when no worker is
-- reading (reconcile sends the row later), and the handler swallows anything
-- else (e.g. the UDF not installed on a replica). Rows the worker itself made
-- from a bare-number line (line_id set) are sent by that worker: no doorbell.
CREATE TRIGGER sms_outbox_after_insert AFTER INSERT ON sms_outbox FOR EACH ROW
BEGIN
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;
  IF NEW.line_id IS NULL THEN
    DO fifo_write('sms', JSON_OBJECT('table', 'sms_outbox', 'op', 'insert', 'id', NEW.id));
  END IF;
END//

DELIMITER ;
