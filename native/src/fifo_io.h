/*
  fifo_io.h - FIFO operations relative to the allowed directory (POSIX).

  Every function returns 0 on success, otherwise an errno value or one of
  the FIFO_E_* codes of fifo_limits.h; errno itself is left unspecified.
  Names must have passed fifo_path_resolve(): they are single entries of
  the directory open as dir_fd. Only FIFOs are ever opened or removed: a
  symlink, regular file, device or directory gives FIFO_E_NOT_FIFO and is
  left untouched. No call blocks beyond its timeout.
*/
#ifndef FIFO_IO_H
#define FIFO_IO_H

#include <stddef.h>
#include <sys/types.h>

/* Which file an entry was when it was opened. */
typedef struct fifo_entry_id
{
  dev_t dev;
  ino_t ino;
} fifo_entry_id;

/* Opens the allowed directory (realpath already resolved by the caller)
   for use as dir_fd; O_CLOEXEC. */
int fifo_dir_open(const char *path, int *dir_fd);

/* mkfifo; 0 too when the entry already is a FIFO, FIFO_E_NOT_FIFO when it
   exists as something else. */
int fifo_make(int dir_fd, const char *name);

/* Unlinks the entry only if it is a FIFO; id (may be NULL) receives the
   identity of the FIFO removed. */
int fifo_unlink(int dir_fd, const char *name, fifo_entry_id *id);

/* Opens a FIFO for writing without blocking: ENXIO when no reader has it
   open. The descriptor is non-blocking and O_CLOEXEC. id (may be NULL)
   receives the identity of the FIFO opened. */
int fifo_open_writer(int dir_fd, const char *name, int *fd, fifo_entry_id *id);

/* One fstatat(AT_SYMLINK_NOFOLLOW): 0 when the entry still is the FIFO id
   names, FIFO_E_CHANGED when it is another FIFO, FIFO_E_NOT_FIFO when it
   is no FIFO, an errno value (ENOENT) when it is gone. */
int fifo_entry_is(int dir_fd, const char *name, const fifo_entry_id *id);

/* Opens a FIFO read-write and non-blocking, so a reader never waits in
   open() and never sees end-of-file when writers come and go. */
int fifo_open_reader(int dir_fd, const char *name, int *fd);

/* Writes one whole line (length <= FIFO_LINE_MAX) with one write(). When
   the pipe is full, waits up to timeout_ms for room, then ETIMEDOUT; with
   timeout_ms 0 that is one non-blocking write() and no poll(). EPIPE
   when the last reader went away; SIGPIPE is never delivered for it: pass
   sigpipe_ignored = fifo_sigpipe_ignored() (taken once per statement) to
   skip the signal-mask system calls when the process ignores SIGPIPE. */
int fifo_write_line(int fd, const char *line, size_t length, int timeout_ms,
                    int sigpipe_ignored);

/* 1 when the process ignores SIGPIPE (mysqld does), else 0. */
int fifo_sigpipe_ignored(void);

/* Reads one line byte by byte (never past its '\n') into buf, storing its
   length without the '\n'. At most size - 1 bytes of body fit: a longer
   line is read up to its end and discarded (FIFO_E_LINE_LONG). ETIMEDOUT
   when nothing arrived in time, FIFO_E_PARTIAL when the time ran out
   inside a line (those bytes are lost). */
int fifo_read_line(int fd, char *buf, size_t size, size_t *length,
                   int timeout_ms);

#endif
