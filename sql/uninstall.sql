-- Unregisters the UDFs of fifo.so. Re-runnable.
--
--   mariadb -uroot mysql < sql/uninstall.sql
--
-- Triggers that call fifo_write fail once it is gone: drop or change them
-- first (e.g. the article's demo_after_insert).

DROP FUNCTION IF EXISTS fifo_create;
DROP FUNCTION IF EXISTS fifo_remove;
DROP FUNCTION IF EXISTS fifo_read;
DROP FUNCTION IF EXISTS fifo_write;
DROP FUNCTION IF EXISTS fifo_error;
DROP FUNCTION IF EXISTS fifo_info;
