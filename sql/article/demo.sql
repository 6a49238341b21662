-- The article's example, section 5: the `demo` table and its three rows,
-- verbatim. Load it into an empty database, then try (a reader on the pipe,
-- e.g. `cat "$DBFIFO_PIPE_DIR/myfifo"` after `select fifo_create('myfifo')`):
--
--   select fifo_write('myfifo',concat(mobile,'\r\n')) from demo;
--
-- With DBFIFO_PIPE_DIR=/tmp the article's own '/tmp/myfifo' works as well:
-- a bare name and "<allowed dir>/<name>" name the same pipe.

CREATE TABLE `demo` (
	`id` INT(11) NULL DEFAULT NULL,
	`name` CHAR(10) NULL DEFAULT NULL,
	`mobile` VARCHAR(50) NULL DEFAULT NULL
)
COLLATE='utf8_general_ci'
ENGINE=InnoDB;

INSERT INTO `demo` (`id`, `name`, `mobile`) VALUES
	(1, 'neo', '13113668891'),
	(2, 'jam', '13113668892'),
	(3, 'leo', '13113668893');
