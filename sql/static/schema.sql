-- static-gen: the news table and the triggers that ring the `static` pipe.
--
-- Load with the mariadb CLI (DELIMITER is a client command):
--   mariadb dbfifo < sql/static/schema.sql
-- Needs the UDFs from sql/install.sql (fifo_write). The pipe is named bare
-- ('static'): fifo.so resolves names inside its one allowed directory, so no
-- host path lives in SQL. The worker (packages/static-gen) reads that pipe.
--
-- A line is only a doorbell: {"table":"news","op":"update","id":42,
-- "version":7,"slug":"x","old_slug":null}. The worker re-reads the row; the
-- version lets it wait until the edit that rang is committed (the trigger
-- fires before COMMIT) and render nothing new when it was rolled back.

CREATE TABLE IF NOT EXISTS news (
  id           INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  -- binary collation: 'A' and 'a' are different slugs, and no unicode folding
  -- can make two stored slugs collide; the worker refuses unsafe ones.
  slug         VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  title        VARCHAR(255) NOT NULL,
  summary      TEXT NOT NULL DEFAULT '',
  body         MEDIUMTEXT NOT NULL DEFAULT '',   -- trusted CMS HTML
  author       VARCHAR(128) NOT NULL DEFAULT '',
  status       ENUM('draft','published') NOT NULL DEFAULT 'draft',
  published_at TIMESTAMP(6) NULL DEFAULT NULL,
  updated_at   TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  -- bumped by news_before_update; the doorbell carries it (see above)
  version      INT UNSIGNED NOT NULL DEFAULT 1,
  UNIQUE KEY news_slug (slug),
  KEY news_status_published (status, published_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

DROP TRIGGER IF EXISTS news_before_insert;
DROP TRIGGER IF EXISTS news_before_update;
DROP TRIGGER IF EXISTS news_after_insert;
DROP TRIGGER IF EXISTS news_after_update;
DROP TRIGGER IF EXISTS news_after_delete;

DELIMITER //

CREATE TRIGGER news_before_insert BEFORE INSERT ON news FOR EACH ROW
BEGIN
  SET NEW.version = 1;
  IF NEW.status = 'published' AND NEW.published_at IS NULL THEN
    SET NEW.published_at = NOW(6);
  END IF;
END//

CREATE TRIGGER news_before_update BEFORE UPDATE ON news FOR EACH ROW
BEGIN
  SET NEW.version = OLD.version + 1;
  IF NEW.status = 'published' AND NEW.published_at IS NULL THEN
    SET NEW.published_at = NOW(6);
  END IF;
END//

-- The AFTER triggers must never fail the write: fifo_write answers 'false'
-- when no worker is reading (reconcile catches up later), and the handler
-- below swallows anything else (e.g. the UDF not installed on a replica).
CREATE TRIGGER news_after_insert AFTER INSERT ON news FOR EACH ROW
BEGIN
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;
  DO fifo_write('static', JSON_OBJECT('table', 'news', 'op', 'insert', 'id', NEW.id,
    'version', NEW.version, 'slug', NEW.slug));
END//

CREATE TRIGGER news_after_update AFTER UPDATE ON news FOR EACH ROW
BEGIN
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;
  DO fifo_write('static', JSON_OBJECT('table', 'news', 'op', 'update', 'id', NEW.id,
    'version', NEW.version, 'slug', NEW.slug,
    'old_slug', IF(OLD.slug <> NEW.slug, OLD.slug, NULL)));
END//

CREATE TRIGGER news_after_delete AFTER DELETE ON news FOR EACH ROW
BEGIN
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;
  DO fifo_write('static', JSON_OBJECT('table', 'news', 'op', 'delete', 'id', OLD.id,
    'slug', OLD.slug));
END//

DELIMITER ;
