-- Firewall use case: an IP that hits too often is banned by the kernel.
--
--   access_log  --AFTER INSERT--> fw_hits (one counter row per address)
--                                 └ at the threshold: INSERT blacklist
--   blacklist   --AFTER INSERT/UPDATE/DELETE--> fifo_write(pipe, {"table":"blacklist",...})
--
-- The line on the pipe is only a doorbell: the worker re-reads the blacklist
-- and makes the kernel match it. A doorbell that cannot ring (no reader)
-- never fails the write: the worker's reconcile() catches up at start and
-- periodically. Needs fifo.so installed (sql/install.sql).
--
-- Settings live in fw_settings (one row), not in the trigger:
--   UPDATE fw_settings SET hit_window_seconds = 10, hit_threshold = 50, ban_seconds = 600;

CREATE TABLE IF NOT EXISTS fw_settings (
  id                 TINYINT      NOT NULL PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  hit_window_seconds INT UNSIGNED NOT NULL DEFAULT 60   COMMENT 'length of the counting window',
  hit_threshold      INT UNSIGNED NOT NULL DEFAULT 100  COMMENT 'hits within one window that ban an address',
  ban_seconds        INT UNSIGNED          DEFAULT 3600 COMMENT 'ban duration; NULL = until unbanned',
  pipe               VARCHAR(255) NOT NULL DEFAULT 'firewall' COMMENT 'pipe name inside the fifo.so pipe directory'
) ENGINE=InnoDB;
INSERT IGNORE INTO fw_settings (id) VALUES (1);

CREATE TABLE IF NOT EXISTS access_log (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  address    VARCHAR(64)     NOT NULL COMMENT 'client address as the application saw it',
  path       VARCHAR(2048)            DEFAULT NULL,
  created_at DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY access_log_address (address, created_at)
) ENGINE=InnoDB;

-- One row per address: the current fixed window and its hit count. Counting
-- is an O(1) upsert of this row instead of a COUNT(*) over access_log; the
-- row lock also serialises concurrent hits of one address, so the threshold
-- is crossed exactly once per window.
CREATE TABLE IF NOT EXISTS fw_hits (
  address      VARCHAR(64)  NOT NULL PRIMARY KEY,
  window_start DATETIME(3)  NOT NULL,
  hits         INT UNSIGNED NOT NULL
) ENGINE=InnoDB;

-- History of bans. A ban is active while removed_at IS NULL and it has not
-- expired; active_address makes "one active ban per address" a unique key
-- (NULLs do not collide, so history rows stay).
CREATE TABLE IF NOT EXISTS blacklist (
  id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  address        VARCHAR(64)     NOT NULL,
  reason         VARCHAR(255)             DEFAULT NULL,
  created_at     DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at     DATETIME(3)              DEFAULT NULL COMMENT 'NULL = until unbanned',
  removed_at     DATETIME(3)              DEFAULT NULL COMMENT 'set on unban, expiry or refusal',
  removed_reason VARCHAR(32)              DEFAULT NULL COMMENT 'unbanned | expired | refused',
  applied_at     DATETIME(3)              DEFAULT NULL COMMENT 'when the worker put it in the kernel',
  note           VARCHAR(255)             DEFAULT NULL COMMENT 'worker remark, e.g. why an address was refused',
  active_address VARCHAR(64) AS (IF(removed_at IS NULL, address, NULL)) PERSISTENT,
  UNIQUE KEY blacklist_active (active_address),
  KEY blacklist_expiry (removed_at, expires_at)
) ENGINE=InnoDB;

DELIMITER //

-- Ring the pipe; never fail the statement that fired the trigger (no reader,
-- full pipe, or even fifo.so missing: reconcile covers it). The doorbell
-- carries the row's new state (active, expires_at) because it rings before
-- COMMIT: the worker waits until the table shows that state, so it never
-- acts on the old one.
CREATE OR REPLACE PROCEDURE fw_ring(p_op VARCHAR(8), p_id BIGINT UNSIGNED, p_address VARCHAR(64),
                                    p_active BOOLEAN, p_expires_at DATETIME(3))
BEGIN
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;
  -- CAST: MariaDB renders a routine parameter as a JSON string otherwise.
  DO fifo_write((SELECT pipe FROM fw_settings WHERE id = 1),
                IF(p_op IN ('delete', 'moved'),
                   JSON_OBJECT('table', 'blacklist', 'op', p_op, 'id', CAST(p_id AS UNSIGNED), 'address', p_address),
                   JSON_OBJECT('table', 'blacklist', 'op', p_op, 'id', CAST(p_id AS UNSIGNED), 'address', p_address,
                               'active', CAST(p_active AS UNSIGNED), 'expires_at', CAST(p_expires_at AS CHAR))));
END //

CREATE OR REPLACE TRIGGER access_log_count AFTER INSERT ON access_log FOR EACH ROW
BEGIN
  DECLARE v_window INT UNSIGNED;
  DECLARE v_threshold INT UNSIGNED;
  DECLARE v_ban INT UNSIGNED;
  DECLARE v_hits INT UNSIGNED;
  SELECT hit_window_seconds, hit_threshold, ban_seconds INTO v_window, v_threshold, v_ban
    FROM fw_settings WHERE id = 1;

  -- Assignments run left to right: hits is computed from the old window_start.
  INSERT INTO fw_hits (address, window_start, hits) VALUES (NEW.address, NEW.created_at, 1)
    ON DUPLICATE KEY UPDATE
      hits = IF(window_start <= NEW.created_at - INTERVAL v_window SECOND, 1, hits + 1),
      window_start = IF(window_start <= NEW.created_at - INTERVAL v_window SECOND, NEW.created_at, window_start);
  SELECT hits INTO v_hits FROM fw_hits WHERE address = NEW.address;

  IF v_hits = v_threshold THEN
    -- An expired ban the worker has not closed yet must not block a new one.
    UPDATE blacklist SET removed_at = NOW(3), removed_reason = 'expired'
      WHERE active_address = NEW.address AND expires_at IS NOT NULL AND expires_at <= NOW(3);
    -- IGNORE: an address that is already banned stays banned once.
    INSERT IGNORE INTO blacklist (address, reason, expires_at)
      VALUES (NEW.address,
              CONCAT(v_hits, ' hits in ', v_window, ' s'),
              IF(v_ban IS NULL, NULL, NOW(3) + INTERVAL v_ban SECOND));
  END IF;
END //

CREATE OR REPLACE TRIGGER blacklist_ring_insert AFTER INSERT ON blacklist FOR EACH ROW
  CALL fw_ring('insert', NEW.id, NEW.address, NEW.removed_at IS NULL, NEW.expires_at) //

-- Bookkeeping by the worker (applied_at, note) does not ring; anything that
-- changes whether or how long an address is banned does.
CREATE OR REPLACE TRIGGER blacklist_ring_update AFTER UPDATE ON blacklist FOR EACH ROW
BEGIN
  IF NOT (OLD.address <=> NEW.address AND OLD.expires_at <=> NEW.expires_at AND OLD.removed_at <=> NEW.removed_at) THEN
    CALL fw_ring('update', NEW.id, NEW.address, NEW.removed_at IS NULL, NEW.expires_at);
    -- The row moved to another address: the old one is unbanned ('moved').
    IF NOT (OLD.address <=> NEW.address) THEN CALL fw_ring('moved', OLD.id, OLD.address, FALSE, NULL); END IF;
  END IF;
END //

CREATE OR REPLACE TRIGGER blacklist_ring_delete AFTER DELETE ON blacklist FOR EACH ROW
  CALL fw_ring('delete', OLD.id, OLD.address, FALSE, NULL) //

DELIMITER ;
