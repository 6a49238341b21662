/*
  fifo_udf.c - fifo_create, fifo_remove, fifo_write and fifo_read.

  Entry points only: argument handling and answers. The sandbox rules are
  in fifo_path.c, the file operations in fifo_io.c. Each call clears the
  thread's last error and sets it when it answers 'false' or NULL, so
  fifo_error() explains the most recent call.
*/
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "fifo_config.h"
#include "fifo_error.h"
#include "fifo_fail_fast.h"
#include "fifo_frame.h"
#include "fifo_io.h"
#include "fifo_pipe_buffer.h"
#include "fifo_state.h"
#include "fifo_udf.h"

#define FIFO_ANSWER_MAX_LENGTH 5 /* "false" */

#define USAGE_CREATE "fifo_create(path STRING)"
#define USAGE_REMOVE "fifo_remove(path STRING)"
#define USAGE_WRITE "fifo_write(path STRING, message STRING [, timeout_ms INT])"
#define USAGE_READ "fifo_read(path STRING [, timeout_ms INT])"

#define ARG_MESSAGE 1
#define ARG_WRITE_TIMEOUT 2
#define ARG_READ_TIMEOUT 1


static fifo_bool init_answering(UDF_INIT *initid, UDF_ARGS *args,
                                char *message, unsigned int min_args,
                                unsigned int max_args,
                                unsigned int string_args, const char *usage)
{
  fifo_state *state= fifo_state_init(args, message, min_args, max_args,
                                     string_args, usage);

  if (!state)
    return 1;
  initid->ptr= (char *) state;
  initid->maybe_null= 0;
  initid->max_length= FIFO_ANSWER_MAX_LENGTH;
  /* A side effect per row: never fold into a constant. */
  initid->const_item= 0;
  return 0;
}


static void deinit_state(UDF_INIT *initid)
{
  fifo_state_free((fifo_state *) initid->ptr);
  initid->ptr= NULL;
}


/* A timeout argument: NULL is refused like any NULL argument. */
static int timeout_arg(const UDF_ARGS *args, unsigned int index,
                       const char *fn, int fallback, int max, int *timeout)
{
  if (args->arg_count <= index)
  {
    *timeout= fallback;
    return 0;
  }
  if (!args->args[index])
  {
    fifo_error_set("%s: timeout_ms is NULL", fn);
    return -1;
  }
  *timeout= fifo_clamp_ms(*(const long long *) args->args[index], max);
  return 0;
}


typedef int (*fifo_entry_op)(int dir_fd, const char *name);

/*
  fifo_create and fifo_remove: one operation on one entry of the allowed
  directory, tried again once if the directory was replaced since this
  thread opened it. drop_cached: forget this thread's open write end first.
*/
static char *answer_entry_op(UDF_INIT *initid, UDF_ARGS *args, char *result,
                             unsigned long *length, const char *fn,
                             fifo_entry_op op, int drop_cached)
{
  fifo_state *state= (fifo_state *) initid->ptr;
  fifo_thread *thread;
  const char *name;
  int rc;

  fifo_error_clear();
  if (!(name= fifo_state_name(state, fn, args, &thread)))
    return fifo_answer(result, length, 0);
  if (drop_cached)
    fifo_thread_drop(thread, name);
  rc= op(thread->dir_fd, name);
  if (rc == ENOENT && fifo_thread_dir_changed(thread))
    rc= op(thread->dir_fd, name);
  if (rc)
  {
    fifo_state_fail(fn, name, rc, 0);
    return fifo_answer(result, length, 0);
  }
  return fifo_answer(result, length, 1);
}


fifo_bool fifo_create_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
  return init_answering(initid, args, message, 1, 1, 1, USAGE_CREATE);
}


void fifo_create_deinit(UDF_INIT *initid)
{
  deinit_state(initid);
}


char *fifo_create(UDF_INIT *initid, UDF_ARGS *args, char *result,
                  unsigned long *length, fifo_flag *is_null, fifo_flag *error)
{
  (void) is_null;
  (void) error;
  return answer_entry_op(initid, args, result, length, "fifo_create",
                         fifo_make, 0);
}


fifo_bool fifo_remove_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
  return init_answering(initid, args, message, 1, 1, 1, USAGE_REMOVE);
}


void fifo_remove_deinit(UDF_INIT *initid)
{
  deinit_state(initid);
}


/* A fail-fast mark goes with the FIFO: a new FIFO given the same inode
   number must start unmarked. */
static int remove_fifo(int dir_fd, const char *name)
{
  fifo_entry_id id;
  int rc;

  if ((rc= fifo_unlink(dir_fd, name, &id)))
    return rc;
  fifo_fail_fast_clear(&id);
  return 0;
}


char *fifo_remove(UDF_INIT *initid, UDF_ARGS *args, char *result,
                  unsigned long *length, fifo_flag *is_null, fifo_flag *error)
{
  (void) is_null;
  (void) error;
  /* This thread's cached write end of it goes too (others notice the
     entry is gone on their next write). */
  return answer_entry_op(initid, args, result, length, "fifo_remove",
                         remove_fifo, 1);
}


fifo_bool fifo_write_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
  return init_answering(initid, args, message, 2, 3, 2, USAGE_WRITE);
}


void fifo_write_deinit(UDF_INIT *initid)
{
  deinit_state(initid);
}


/* What a write refused under a fail-fast mark reports. */
typedef struct write_refusal
{
  long long failing_ms;        /* since the pipe was marked */
  unsigned long long refused;  /* writes refused under this mark */
} write_refusal;


/*
  The fail-fast rule (fifo_fail_fast.h). Unmarked: write, waiting up to
  timeout_ms for room; still full then: mark the pipe. Marked: one write
  without waiting; refused when there is no room; when the line went in
  and the reader has emptied at least half the buffer, clear the mark
  (a FIONREAD that fails cannot tell more than the write did: clear).
*/
static int write_line_fail_fast(const fifo_state *state,
                                const fifo_thread *thread,
                                const fifo_pipe_slot *pipe, const char *name,
                                size_t line_length, int timeout_ms,
                                write_refusal *refusal)
{
  fifo_fail_fast_mark mark;
  int queued, rc;

  if (!fifo_fail_fast_marked(&pipe->id, &mark))
  {
    rc= fifo_write_line(pipe->fd, state->line, line_length, timeout_ms,
                        thread->sigpipe_ignored);
    if (rc == ETIMEDOUT)
      fifo_fail_fast_mark_full(&pipe->id, name, fifo_coarse_ms());
    return rc;
  }
  rc= fifo_write_line(pipe->fd, state->line, line_length, 0,
                      thread->sigpipe_ignored);
  if (rc == ETIMEDOUT)
  {
    refusal->refused= fifo_fail_fast_refused(&mark);
    /* Another thread may have marked it after this row read its clock. */
    refusal->failing_ms= thread->now_ms > mark.since_ms ?
                         thread->now_ms - mark.since_ms : 0;
    return FIFO_E_FAILING_FAST;
  }
  if (rc == 0 && ((queued= fifo_pipe_queued(pipe->fd)) < 0 ||
                  queued <= pipe->capacity / 2))
    fifo_fail_fast_clear(&pipe->id);
  return rc;
}


/*
  The pipe comes from the thread's cache (fifo_thread.c), so the rows of a
  trigger, each a statement of its own, do not open and close it per row.
  Once checked in this statement, a constant path's cached pipe is used
  without looking at the entry again, as the statement's own pipe was
  before. If every reader has closed since it was opened, the write gives
  EPIPE: open again once, since a new reader may be there by now. ENOENT
  may mean the directory was replaced: look again once.
*/
static int write_framed(fifo_state *state, fifo_thread *thread,
                        const char *name, size_t line_length, int timeout_ms,
                        write_refusal *refusal)
{
  uint64_t serial= state->path_const ? state->serial : 0;
  const fifo_pipe_slot *pipe;
  int reopened= 0, dir_rechecked= 0, cached, rc;

  for (;;)
  {
    rc= fifo_thread_writer(thread, name, &pipe, &serial, &cached);
    if (rc == ENOENT && !dir_rechecked)
    {
      dir_rechecked= 1;
      if (fifo_thread_dir_changed(thread))
        continue;
    }
    if (rc)
      break;
    rc= write_line_fail_fast(state, thread, pipe, name, line_length,
                             timeout_ms, refusal);
    if (rc == 0 || rc == ETIMEDOUT || rc == FIFO_E_FAILING_FAST)
    {
      /* A full pipe is still the right pipe: keep it. */
      state->serial= serial;
      return rc;
    }
    fifo_thread_drop(thread, name);
    serial= 0;
    if (rc != EPIPE || !cached || reopened)
      break;
    reopened= 1;
  }
  state->serial= 0;
  return rc;
}


/* fifo_error() for a write that answered 'false'. */
static void write_failed(const char *name, int rc, int timeout_ms,
                         const write_refusal *refusal)
{
  const char *dir= fifo_config_get()->dir;

  switch (rc)
  {
  case ETIMEDOUT:
    fifo_error_set("fifo_write: %s/%s had no room within %d ms (ETIMEDOUT): "
                   "its reader is not keeping up; writes to it fail fast "
                   "until it is half empty", dir, name, timeout_ms);
    return;
  case FIFO_E_FAILING_FAST:
    fifo_error_set("fifo_write: %s/%s is full: its reader is not keeping "
                   "up; failing fast for %lld ms, %llu writes refused "
                   "(EAGAIN)", dir, name, refusal->failing_ms,
                   refusal->refused);
    return;
  }
  fifo_state_fail("fifo_write", name, rc, timeout_ms);
}


char *fifo_write(UDF_INIT *initid, UDF_ARGS *args, char *result,
                 unsigned long *length, fifo_flag *is_null, fifo_flag *error)
{
  fifo_state *state= (fifo_state *) initid->ptr;
  write_refusal refusal= { 0, 0 };
  fifo_thread *thread;
  const char *name;
  size_t line_length;
  int timeout_ms, rc;

  (void) is_null;
  (void) error;
  fifo_error_clear();
  if (!(name= fifo_state_name(state, "fifo_write", args, &thread)))
    goto fail;
  if (!args->args[ARG_MESSAGE])
  {
    fifo_error_set("fifo_write: message is NULL");
    goto fail;
  }
  switch (fifo_frame_line(args->args[ARG_MESSAGE], args->lengths[ARG_MESSAGE],
                          state->line, &line_length))
  {
  case FIFO_FRAME_OK:
    break;
  case FIFO_FRAME_TOO_LONG:
    fifo_error_set("fifo_write: message of %lu bytes is over the %d-byte "
                   "line limit (newline included), not sent",
                   args->lengths[ARG_MESSAGE], FIFO_LINE_MAX);
    goto fail;
  case FIFO_FRAME_NEWLINE:
    fifo_error_set("fifo_write: message has a newline before its end; "
                   "one message is one line, not sent");
    goto fail;
  }
  if (timeout_arg(args, ARG_WRITE_TIMEOUT, "fifo_write",
                  fifo_config_get()->write_timeout_ms, FIFO_WRITE_TIMEOUT_MAX_MS,
                  &timeout_ms))
    goto fail;
  if ((rc= write_framed(state, thread, name, line_length, timeout_ms,
                        &refusal)))
  {
    write_failed(name, rc, timeout_ms, &refusal);
    goto fail;
  }
  return fifo_answer(result, length, 1);

fail:
  return fifo_answer(result, length, 0);
}


fifo_bool fifo_read_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
  if (init_answering(initid, args, message, 1, 2, 1, USAGE_READ))
    return 1;
  initid->maybe_null= 1;
  initid->max_length= FIFO_LINE_MAX - 1;
  return 0;
}


void fifo_read_deinit(UDF_INIT *initid)
{
  deinit_state(initid);
}


/*
  The pipe of a constant path stays open until the statement ends: lines
  still in a pipe nobody holds open are dropped by the kernel, so closing
  between rows would lose the rest of a burst.
*/
char *fifo_read(UDF_INIT *initid, UDF_ARGS *args, char *result,
                unsigned long *length, fifo_flag *is_null, fifo_flag *error)
{
  fifo_state *state= (fifo_state *) initid->ptr;
  fifo_thread *thread;
  const char *name;
  size_t line_length;
  int timeout_ms, rc;

  (void) result;
  (void) error;
  *is_null= 1;
  fifo_error_clear();
  if (!(name= fifo_state_name(state, "fifo_read", args, &thread)))
    return NULL;
  if (timeout_arg(args, ARG_READ_TIMEOUT, "fifo_read",
                  FIFO_READ_TIMEOUT_DEFAULT_MS, FIFO_READ_TIMEOUT_MAX_MS,
                  &timeout_ms))
    return NULL;
  if (state->fd < 0)
  {
    rc= fifo_open_reader(thread->dir_fd, name, &state->fd);
    if (rc == ENOENT && fifo_thread_dir_changed(thread))
      rc= fifo_open_reader(thread->dir_fd, name, &state->fd);
    if (rc)
    {
      fifo_state_fail("fifo_read", name, rc, timeout_ms);
      return NULL;
    }
  }
  rc= fifo_read_line(state->fd, state->line, sizeof(state->line),
                     &line_length, timeout_ms);
  if (!state->path_const)
    fifo_state_close(state);
  if (rc)
  {
    fifo_state_fail("fifo_read", name, rc, timeout_ms);
    return NULL;
  }
  *length= (unsigned long) fifo_frame_body_length(state->line, line_length);
  *is_null= 0;
  return state->line;
}
