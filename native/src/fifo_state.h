/*
  fifo_state.h - what a fifo_create/remove/write/read call keeps for the
  length of one statement (initid->ptr), and the shared per-row steps.
  Nothing here is opened per statement: the directory and fifo_write's
  pipes are the thread's (fifo_thread.h); only fifo_read keeps its pipe
  here, for the statement.
*/
#ifndef FIFO_STATE_H
#define FIFO_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "fifo_limits.h"
#include "fifo_path.h"
#include "fifo_thread.h"
#include "fifo_udf.h"

typedef struct fifo_state
{
  int path_const;                /* path was constant and valid at init */
  char name[FIFO_NAME_MAX + 1];  /* entry name of this row's path */
  int fd;                        /* fifo_read: pipe kept for a const path */
  uint64_t serial;               /* fifo_write: cached pipe checked in this
                                    statement (const path), 0 if none */
  char line[FIFO_LINE_MAX];      /* framed line to write, or line read */
} fifo_state;

/* Checks the argument count (min_args..max_args), coerces the first
   string_args arguments to STRING and the rest to INT and resolves a
   constant path once. Returns NULL with a message (< 80 bytes, naming
   usage) when the call cannot start. */
fifo_state *fifo_state_init(UDF_ARGS *args, char *message,
                            unsigned int min_args, unsigned int max_args,
                            unsigned int string_args, const char *usage);

void fifo_state_free(fifo_state *state);

/* Entry name of this row's path argument, or NULL with fifo_error set;
   *thread receives the calling thread's cache, its directory usable. */
const char *fifo_state_name(fifo_state *state, const char *fn,
                            const UDF_ARGS *args, fifo_thread **thread);

/* Closes fifo_read's kept pipe, if any. */
void fifo_state_close(fifo_state *state);

/* Sets fifo_error for a failed operation on name, e.g.
   "fifo_write: no reader on /run/dbfifo/sms (ENXIO)". */
void fifo_state_fail(const char *fn, const char *name, int code,
                     int timeout_ms);

/* Copies 'true' or 'false' into result and returns it. */
char *fifo_answer(char *result, unsigned long *length, int ok);

#endif
