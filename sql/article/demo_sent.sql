-- The article's example, section 5, second half: `demo_sent` and the
-- `demo_after_insert` trigger. Load after demo.sql. Then:
--
--   insert into demo(name,mobile) values('jerry','13322993040');
--   select status from demo_sent;   -- 'true' when a reader was there
--
-- Two changes to the article's SQL, nothing else:
--   1. The pipe path '/tmp/myfifo' is the bare name 'myfifo', resolved by
--      fifo.so inside DBFIFO_PIPE_DIR (so with DBFIFO_PIPE_DIR=/tmp it is
--      exactly /tmp/myfifo). To use another pipe, replace 'myfifo' (the
--      integration tests do, to get a pipe of their own).
--   2. No DEFINER=`dba`@`%`: that account does not exist here, and a trigger
--      whose definer is missing fails on every INSERT; naming another
--      account also needs SUPER/SET USER. Without the clause the trigger runs
--      as the account that loads this file, which must be able to insert
--      into demo_sent.
-- The article's CREATE TABLE lacked its ';' and the trigger its DELIMITER
-- lines; both are added so the file loads with the mariadb client.

CREATE TABLE `demo_sent` (
	`id` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
	`mobile` VARCHAR(50) NOT NULL,
	`status` ENUM('true','false') NOT NULL DEFAULT 'false',
	`ctime` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (`id`)
)
COLLATE='utf8_general_ci'
ENGINE=InnoDB;

DELIMITER ;;
CREATE TRIGGER `demo_after_insert` AFTER INSERT ON `demo` FOR EACH ROW BEGIN
	insert into demo_sent(mobile,status) select new.mobile,fifo_write('myfifo',concat(new.mobile,'')) as status;
END;;
DELIMITER ;
