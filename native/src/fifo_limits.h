/*
  fifo_limits.h - sizes, defaults and bounds shared by every part of fifo.so.

  Only constants live here. Every limit that protects the server (line size,
  wait times) is named once so the C tests, the fuzzers and the UDFs agree.
*/
#ifndef FIFO_LIMITS_H
#define FIFO_LIMITS_H

#define FIFO_VERSION "1.1.0"

/* One message is one line of at most PIPE_BUF bytes including its '\n':
   the kernel keeps a pipe write of that size whole (POSIX). */
#define FIFO_LINE_MAX 4096

/* Longest entry name inside the allowed directory (NAME_MAX on Linux). */
#define FIFO_NAME_MAX 255

/* Longest path argument and longest allowed-directory path accepted. */
#define FIFO_PATH_MAX 4096

/* Environment of the server process, read once (a change needs a restart). */
#define FIFO_ENV_DIR "DBFIFO_PIPE_DIR"
#define FIFO_ENV_WRITE_TIMEOUT "DBFIFO_WRITE_TIMEOUT_MS"
#define FIFO_ENV_PIPE_SIZE "DBFIFO_PIPE_SIZE"
#define FIFO_DEFAULT_DIR "/run/dbfifo"

/* fifo_write: how long to wait for room in a full pipe, once per episode
   (after that the pipe fails fast, fifo_fail_fast.h). A doorbell can be
   recovered from the rows, a transaction's time and locks cannot: short.
   native/README.md says why 10. */
#define FIFO_WRITE_TIMEOUT_DEFAULT_MS 10
#define FIFO_WRITE_TIMEOUT_MAX_MS 10000

/* The buffer fifo_write asks for when it opens a pipe (F_SETPIPE_SZ, only
   ever growing, capped at the kernel's pipe-max-size): 1 MiB holds about
   16,000 doorbells of 64 bytes, where the kernel's default 64 KiB holds
   about 1,000. 0 leaves the kernel's size. */
#define FIFO_PIPE_SIZE_DEFAULT (1024 * 1024)
#define FIFO_PIPE_SIZE_MAX (1024 * 1024 * 1024)
#define FIFO_PIPE_MAX_SIZE_FILE "/proc/sys/fs/pipe-max-size"
/* A pipe's capacity when F_GETPIPE_SZ cannot tell (16 pages of 4 KiB). */
#define FIFO_PIPE_SIZE_KERNEL_DEFAULT 65536

/* The process-wide fail-fast table (fifo_fail_fast.c): this many slots in
   sets of FIFO_FAIL_FAST_WAYS; a pipe's identity picks its set. More pipes
   marked at once than a set holds evict each other's marks, which costs
   the evicted pipe one bounded wait. */
#define FIFO_FAIL_FAST_SLOTS 64
#define FIFO_FAIL_FAST_WAYS 4
/* How many marked pipes fifo_info() lists by name (it counts them all). */
#define FIFO_INFO_MARKED_MAX 16

/* fifo_read: how long to wait for a line. */
#define FIFO_READ_TIMEOUT_DEFAULT_MS 1000
#define FIFO_READ_TIMEOUT_MAX_MS 60000

/* Per server thread, fifo_write keeps the pipes of its last few names
   open (fifo_thread.c): at most this many descriptors, plus one on the
   allowed directory. */
#define FIFO_THREAD_PIPES 4

/* How long a cached pipe is written without looking at its entry again
   (one fstatat): a pipe removed or replaced while its old reader stays
   may get lines for this long. A reader that has gone is noticed at once
   (EPIPE). */
#define FIFO_PIPE_RECHECK_MS 100

/* How often a thread re-resolves the allowed directory (realpath + stat)
   and re-reads SIGPIPE's disposition; a failed lookup re-checks at once. */
#define FIFO_DIR_RECHECK_MS 1000

/* Permission bits of a FIFO made by fifo_create (before the umask). */
#define FIFO_CREATE_MODE 0660

/* The server's init message buffer; udf_example.c keeps under 80 bytes. */
#define FIFO_INIT_MESSAGE_MAX 80

/* Size of the per-thread last-error text returned by fifo_error(). */
#define FIFO_ERROR_MAX 512

/* Failure codes beyond errno values (all errno values are far smaller). */
#define FIFO_E_BASE 100000
#define FIFO_E_NOT_FIFO (FIFO_E_BASE + 1)    /* entry exists, is no FIFO */
#define FIFO_E_CHANGED (FIFO_E_BASE + 2)     /* entry swapped while opening */
#define FIFO_E_SHORT_WRITE (FIFO_E_BASE + 3) /* write() took part of a line */
#define FIFO_E_LINE_LONG (FIFO_E_BASE + 4)   /* read: line over the limit */
#define FIFO_E_PARTIAL (FIFO_E_BASE + 5)     /* read: timeout mid-line */
#define FIFO_E_FAILING_FAST (FIFO_E_BASE + 6) /* full, marked: not waited */

#endif
