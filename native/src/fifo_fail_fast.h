/*
  fifo_fail_fast.h - which pipes are known full, process-wide.

  The rule: once a fifo_write finds a pipe full past its bounded wait
  (ETIMEDOUT), the pipe is marked. While it is marked, a fifo_write to it
  in any server thread makes one non-blocking write() and never waits:
  the line goes in if there is room, else the call answers 'false' at once
  and the refusal is counted. The mark clears when a write finds the pipe
  at most half full, so a reader that drains slowly does not make writers
  pay the bounded wait over and over.

  A pipe is known by its identity (device, inode), not by its name: a FIFO
  removed and made again under the same name is another pipe. The state is
  a fixed table of slots, lock-free (C11 atomics): nothing here ever waits.
  Every race costs at most one bounded wait or one extra 'false'.
*/
#ifndef FIFO_FAIL_FAST_H
#define FIFO_FAIL_FAST_H

#include "fifo_io.h"
#include "fifo_limits.h"

/* A mark as fifo_fail_fast_marked() saw it. */
typedef struct fifo_fail_fast_mark
{
  unsigned int slot;
  long long since_ms;
} fifo_fail_fast_mark;

/* One marked pipe, for fifo_info(). */
typedef struct fifo_fail_fast_entry
{
  char name[FIFO_NAME_MAX + 1];
  long long since_ms;
  unsigned long long refused;
} fifo_fail_fast_entry;

/* 1 when id's pipe is marked full (*mark says which mark), else 0. A few
   atomic loads, no system call: this runs for every fifo_write. */
int fifo_fail_fast_marked(const fifo_entry_id *id, fifo_fail_fast_mark *mark);

/* Counts a write refused under mark; answers the refusals of this mark. */
unsigned long long fifo_fail_fast_refused(const fifo_fail_fast_mark *mark);

/* Marks id's pipe (entry name, for fifo_info) full since now_ms. When its
   set of slots is taken, evicts the oldest mark there. */
void fifo_fail_fast_mark_full(const fifo_entry_id *id, const char *name,
                              long long now_ms);

/* Clears id's mark, if any: its pipe has room again, or it is gone. */
void fifo_fail_fast_clear(const fifo_entry_id *id);

/* Copies up to max marked pipes into out; answers how many are marked in
   all (may be more than max). */
unsigned int fifo_fail_fast_list(fifo_fail_fast_entry *out, unsigned int max);

#endif
