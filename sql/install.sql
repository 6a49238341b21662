-- Registers the UDFs of fifo.so (copy native/build/fifo.so into the server's
-- plugin_dir first: `make -C native install PLUGIN_DIR=...`).
--
--   mariadb -uroot mysql < sql/install.sql
--
-- Re-runnable. CREATE FUNCTION IF NOT EXISTS instead of DROP + CREATE: the
-- stack runs this file on every `tools/stack up`, and a DROP would leave a
-- moment in which triggers of running connections fail with "FUNCTION does
-- not exist". Nothing is lost by not dropping: a new fifo.so is only loaded
-- by a server restart anyway, and the return types never change. To really
-- re-create them, run sql/uninstall.sql first. (MariaDB 10.1.3+, MySQL
-- 8.0.29+; on older MySQL drop the IF NOT EXISTS and run uninstall.sql
-- first.)
--
-- The server reads its sandbox from its own environment, see native/README.md:
--   DBFIFO_PIPE_DIR          the only directory these functions touch
--                            (default /run/dbfifo; DBFIFO_PIPE_DIR=/tmp makes
--                            the article's '/tmp/myfifo' work verbatim)
--   DBFIFO_WRITE_TIMEOUT_MS  fifo_write's wait when the pipe is full (10),
--                            paid once: after it the pipe fails fast, every
--                            write answers 'false' at once until the reader
--                            has emptied half of it (fifo_error() says so)
--   DBFIFO_PIPE_SIZE         the buffer fifo_write grows a pipe to when it
--                            opens it (1048576; 0 leaves the kernel's 64 KiB),
--                            capped at /proc/sys/fs/pipe-max-size
-- Changing any of them needs a server restart.

-- The article's four.
CREATE FUNCTION IF NOT EXISTS fifo_create RETURNS STRING SONAME 'fifo.so';
CREATE FUNCTION IF NOT EXISTS fifo_remove RETURNS STRING SONAME 'fifo.so';
CREATE FUNCTION IF NOT EXISTS fifo_read RETURNS STRING SONAME 'fifo.so';
CREATE FUNCTION IF NOT EXISTS fifo_write RETURNS STRING SONAME 'fifo.so';

-- Why the last fifo_* call of this server thread said 'false' (or NULL): the
-- connection's thread under the default one-thread-per-connection scheduler.
CREATE FUNCTION IF NOT EXISTS fifo_error RETURNS STRING SONAME 'fifo.so';
-- Library version, allowed directory, limits, pipe sizes and the pipes
-- failing fast now, as JSON.
CREATE FUNCTION IF NOT EXISTS fifo_info RETURNS STRING SONAME 'fifo.so';
