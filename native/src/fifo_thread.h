/*
  fifo_thread.h - what each server thread keeps between statements: a
  descriptor on the allowed directory and the write ends of its last few
  pipes.

  Inside a trigger every row is a statement of its own, so anything set up
  per statement is paid per row. A thread's cache is owned by that thread
  only (a pthread key, no locks); its descriptors are closed when the thread
  ends. Safety does not rest on the cache: only FIFOs opened through the
  checks of fifo_io.c go into it, and a cached pipe is written only while
  its name still names it (fifo_thread_writer).
*/
#ifndef FIFO_THREAD_H
#define FIFO_THREAD_H

#include <stdint.h>

#include "fifo_io.h"
#include "fifo_limits.h"
#include "fifo_path.h"

typedef struct fifo_pipe_slot
{
  char name[FIFO_NAME_MAX + 1]; /* "" when the slot is free */
  int fd;
  fifo_entry_id id;
  uint64_t serial;              /* unique per open, never reused */
  uint64_t used;                /* for least-recently-used eviction */
  long long checked_ms;         /* coarse clock when id was last checked */
  int capacity;                 /* the pipe's buffer in bytes, at the open */
} fifo_pipe_slot;

typedef struct fifo_thread
{
  unsigned int generation;          /* of fifo_config at the last check */
  int dir_fd;                       /* -1 when unusable, see dir_error */
  int dir_error;                    /* 0, an errno value or FIFO_E_* */
  fifo_entry_id dir_id;
  char dir_real[FIFO_PATH_MAX + 1]; /* realpath of the configured dir */
  long long checked_ms;             /* coarse clock of the last check */
  long long now_ms;                 /* coarse clock at fifo_thread_get */
  int sigpipe_ignored;              /* read at the last check */
  uint64_t serial;                  /* last slot serial given out */
  uint64_t tick;
  fifo_pipe_slot slots[FIFO_THREAD_PIPES];
} fifo_thread;

/* CLOCK_MONOTONIC_COARSE in milliseconds (from the vDSO: no system call);
   the clock of every recheck interval and of fail-fast marks. */
long long fifo_coarse_ms(void);

/* The calling thread's cache with its directory checked (at most every
   FIFO_DIR_RECHECK_MS while usable, on every call while not): NULL only
   when it cannot be allocated. dir_error says whether dir_fd is usable. */
fifo_thread *fifo_thread_get(void);

/* The allowed directory's spellings for fifo_path_resolve(). */
fifo_allowed_dir fifo_thread_allowed(const fifo_thread *thread);

/* After an ENOENT: re-resolves the directory now. 1 when it turned out to
   have been replaced (the new one is open, every cached pipe dropped), so
   the caller may retry once. */
int fifo_thread_dir_changed(fifo_thread *thread);

/* A write end of the FIFO name: from the cache when it was checked within
   FIFO_PIPE_RECHECK_MS or earlier in this statement (*serial is its
   slot's serial), or when one fstatat shows its entry still names the same
   FIFO; else opened, grown to DBFIFO_PIPE_SIZE and cached. A cached pipe
   whose name has gone or names another file is closed, and its fail-fast
   mark cleared (nobody writes that pipe through its name any more). On
   success *pipe is the cache's slot (its fd stays owned by the cache, valid
   until the next call on this thread), *serial identifies it and *cached
   says whether it came from the cache. */
int fifo_thread_writer(fifo_thread *thread, const char *name,
                       const fifo_pipe_slot **pipe, uint64_t *serial,
                       int *cached);

/* Closes and forgets the cached pipe of name, if any. */
void fifo_thread_drop(fifo_thread *thread, const char *name);


#endif
