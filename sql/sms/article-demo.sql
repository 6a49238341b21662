-- The article's example (section 5), its SQL unchanged except for the pipe:
-- '/tmp/myfifo' becomes the bare name 'sms' (fifo.so resolves it inside its
-- allowed directory), and the trigger has no DEFINER=`dba`@`%` (that user does
-- not exist here; the trigger runs as whoever loads this file).
--
-- The demo table's trigger writes a bare mobile number to the sms pipe; the
-- sms-worker records each such line as an sms_outbox row (body
-- SMS_DEFAULT_BODY) and sends it. Then, as in the article:
--   select fifo_write('sms',concat(mobile,'\r\n')) from demo;   -- 3 texts
--   insert into demo(name,mobile) values('jerry','13322993040'); -- 1 text
--
-- Demo only: loading this file again starts the example afresh (it drops and
-- recreates `demo` and `demo_sent`; sms_outbox is untouched).

DROP TABLE IF EXISTS `demo`;
DROP TABLE IF EXISTS `demo_sent`;

CREATE TABLE `demo` (
	`id` INT(11) NULL DEFAULT NULL,
	`name` CHAR(10) NULL DEFAULT NULL,
	`mobile` VARCHAR(50) NULL DEFAULT NULL
)
COLLATE='utf8_general_ci'
ENGINE=InnoDB;

-- Inserted before the trigger exists, as in the article: these three are
-- texted by the SELECT fifo_write(...) above, not by the trigger.
INSERT INTO `demo` (`id`, `name`, `mobile`) VALUES
	(1, 'neo', '13113668891'),
	(2, 'jam', '13113668892'),
	(3, 'leo', '13113668893');

CREATE TABLE `demo_sent` (
	`id` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
	`mobile` VARCHAR(50) NOT NULL,
	`status` ENUM('true','false') NOT NULL DEFAULT 'false',
	`ctime` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (`id`)
)
COLLATE='utf8_general_ci'
ENGINE=InnoDB;

DROP TRIGGER IF EXISTS `demo_after_insert`;

DELIMITER //
CREATE TRIGGER `demo_after_insert` AFTER INSERT ON `demo` FOR EACH ROW BEGIN
	insert into demo_sent(mobile,status) select new.mobile,fifo_write('sms',concat(new.mobile,'')) as status;
END//
DELIMITER ;
