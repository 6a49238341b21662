-- Firewall use case: an IP that hits too often is banned by the kernel.
--
--   access_log  --AFTER INSERT--> fw_hits (one counter row per address)
--                                 └ at the threshold: INSERT blacklist
--   blacklist   --AFTER INSERT/UPDATE/DELETE--> fifo_write('firewall', {"table":"blacklist",...})
--
-- The line on the pipe is only a doorbell: the worker re-reads the blacklist
-- and makes the kernel match it. A doorbell that cannot ring (no reader)
-- never fails the write: the worker's reconcile() catches up at start and
-- whenever the runtime finds a doorbell may have been lost. Needs fifo.so
-- installed (sql/install.sql). The pipe is named bare ('firewall'): fifo.so
-- resolves names inside its one allowed directory.
--
-- Settings live in fw_settings (one row), not in the trigger:
--   UPDATE fw_settings SET hit_window_seconds = 10, hit_threshold = 50, ban_seconds = 600;

CREATE TABLE IF NOT EXISTS fw_settings (
  id                 TINYINT      NOT NULL PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  hit_window_seconds INT UNSIGNED NOT NULL DEFAULT 60   COMMENT 'length of the counting window',
  hit_threshold      INT UNSIGNED NOT NULL DEFAULT 100  COMMENT 'hits within one window that ban an address',
  ban_seconds        INT UNSIGNED          DEFAULT 3600 COMMENT 'ban duration; NULL = until unbanned'
) ENGINE=InnoDB;
INSERT IGNORE INTO fw_settings (id) VALUES (1);
-- Upgrade: the pipe name lived here before the doorbell triggers were
-- generated; they now name it themselves (the block at the end).
ALTER TABLE fw_settings DROP COLUMN IF EXISTS pipe;

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

DELIMITER ;

-- The doorbell triggers, generated by `dbfifo trigger add` (one source of
-- trigger SQL for every table). They never fail the statement: fifo_write
-- answers 'false' when no worker reads the pipe, and their handler swallows
-- anything else (even fifo.so missing); the worker catches up from the rows.
-- Every INSERT and DELETE rings; an UPDATE rings when it changes whether,
-- how long or which address is banned, never for the worker's own
-- bookkeeping (applied_at, note). On UPDATE the doorbell carries
-- "old":{"address":…}: when it differs from "address", the row moved and the
-- old address lost its ban too. The worker waits for the row's COMMIT (the
-- trigger rings before it) with one locking read per batch of doorbells.
-- Their names before dbfifo 0.2, and the routine they called:
DROP TRIGGER IF EXISTS blacklist_ring_insert;
DROP TRIGGER IF EXISTS blacklist_ring_update;
DROP TRIGGER IF EXISTS blacklist_ring_delete;
DROP PROCEDURE IF EXISTS fw_ring;
-- dbfifo trigger add blacklist --pipe firewall --columns address,expires_at,removed_at --fields address,expires_at,removed_at --old-fields address
-- (generated by dbfifo trigger, generator 1, from the line above: `npm run sql:triggers`; edit that line, not this SQL)
DROP TRIGGER IF EXISTS `dbfifo_blacklist_insert`;
DROP TRIGGER IF EXISTS `dbfifo_blacklist_update`;
DROP TRIGGER IF EXISTS `dbfifo_blacklist_delete`;
DELIMITER //
CREATE TRIGGER `dbfifo_blacklist_insert` AFTER INSERT ON `blacklist` FOR EACH ROW
BEGIN
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;
  IF FALSE THEN DO 'dbfifo-trigger {"v":1,"pipe":"firewall","on":["insert","update","delete"],"key":["id"],"columns":["address","expires_at","removed_at"],"when":null,"fields":["address","expires_at","removed_at"],"oldFields":["address"]}'; END IF;
  DO fifo_write('firewall', CONCAT('{"table":"blacklist","op":"insert","id":', NEW.`id`, ',"address":', JSON_QUOTE(NEW.`address`), ',"expires_at":', IFNULL(CONCAT('"', NEW.`expires_at`, '"'), 'null'), ',"removed_at":', IFNULL(CONCAT('"', NEW.`removed_at`, '"'), 'null'), '}'));
END//
CREATE TRIGGER `dbfifo_blacklist_update` AFTER UPDATE ON `blacklist` FOR EACH ROW
BEGIN
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;
  IF FALSE THEN DO 'dbfifo-trigger {"v":1,"pipe":"firewall","on":["insert","update","delete"],"key":["id"],"columns":["address","expires_at","removed_at"],"when":null,"fields":["address","expires_at","removed_at"],"oldFields":["address"]}'; END IF;
  IF NOT (CAST(OLD.`address` AS BINARY) <=> CAST(NEW.`address` AS BINARY) AND OLD.`expires_at` <=> NEW.`expires_at` AND OLD.`removed_at` <=> NEW.`removed_at` AND OLD.`id` <=> NEW.`id`) THEN
    DO fifo_write('firewall', CONCAT('{"table":"blacklist","op":"update","id":', NEW.`id`, ',"address":', JSON_QUOTE(NEW.`address`), ',"expires_at":', IFNULL(CONCAT('"', NEW.`expires_at`, '"'), 'null'), ',"removed_at":', IFNULL(CONCAT('"', NEW.`removed_at`, '"'), 'null'), ',"old":{"address":', JSON_QUOTE(OLD.`address`), '}}'));
  END IF;
END//
CREATE TRIGGER `dbfifo_blacklist_delete` AFTER DELETE ON `blacklist` FOR EACH ROW
BEGIN
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;
  IF FALSE THEN DO 'dbfifo-trigger {"v":1,"pipe":"firewall","on":["insert","update","delete"],"key":["id"],"columns":["address","expires_at","removed_at"],"when":null,"fields":["address","expires_at","removed_at"],"oldFields":["address"]}'; END IF;
  DO fifo_write('firewall', CONCAT('{"table":"blacklist","op":"delete","id":', OLD.`id`, ',"address":', JSON_QUOTE(OLD.`address`), ',"expires_at":', IFNULL(CONCAT('"', OLD.`expires_at`, '"'), 'null'), ',"removed_at":', IFNULL(CONCAT('"', OLD.`removed_at`, '"'), 'null'), '}'));
END//
DELIMITER ;
-- end of generated triggers
