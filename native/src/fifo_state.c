/*
  fifo_state.c - statement state and the steps every path-taking UDF shares.
*/
#include "fifo_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fifo_config.h"
#include "fifo_error.h"
#include "fifo_io.h"

#define FIFO_QUOTED_MAX 128

static const char answer_true[]= "true";
static const char answer_false[]= "false";


fifo_state *fifo_state_init(UDF_ARGS *args, char *message,
                            unsigned int min_args, unsigned int max_args,
                            unsigned int string_args, const char *usage)
{
  fifo_state *state;
  fifo_thread *thread;
  unsigned int i;

  if (args->arg_count < min_args || args->arg_count > max_args)
  {
    snprintf(message, FIFO_INIT_MESSAGE_MAX, "usage: %s", usage);
    return NULL;
  }
  for (i= 0; i < args->arg_count; i++)
    args->arg_type[i]= i < string_args ? STRING_RESULT : INT_RESULT;

  if (!(state= malloc(sizeof(*state))))
  {
    snprintf(message, FIFO_INIT_MESSAGE_MAX, "fifo.so: out of memory");
    return NULL;
  }
  state->fd= -1;
  state->serial= 0;
  state->path_const= 0;
  state->name[0]= '\0';

  /* A constant path is checked once here; a bad one is reported per row
     by fifo_state_name(), with the argument quoted. */
  if (args->args[0] && (thread= fifo_thread_get()) && !thread->dir_error)
  {
    fifo_allowed_dir allowed= fifo_thread_allowed(thread);
    if (fifo_path_resolve(&allowed, args->args[0], args->lengths[0],
                          state->name) == FIFO_PATH_OK)
      state->path_const= 1;
  }
  return state;
}


void fifo_state_close(fifo_state *state)
{
  if (state->fd >= 0)
    close(state->fd);
  state->fd= -1;
}


void fifo_state_free(fifo_state *state)
{
  if (!state)
    return;
  fifo_state_close(state);
  free(state);
}


const char *fifo_state_name(fifo_state *state, const char *fn,
                            const UDF_ARGS *args, fifo_thread **thread_out)
{
  const fifo_config *config= fifo_config_get();
  char quoted[FIFO_QUOTED_MAX];
  fifo_path_status status;
  fifo_allowed_dir allowed;
  fifo_thread *thread= fifo_thread_get();

  if (!thread)
  {
    fifo_error_set("%s: out of memory", fn);
    return NULL;
  }
  if (thread->dir_error)
  {
    fifo_error_set("%s: allowed directory %s is unusable (%s); "
                   "set " FIFO_ENV_DIR " for the server",
                   fn, config->dir, fifo_code_name(thread->dir_error));
    return NULL;
  }
  *thread_out= thread;
  if (state->path_const)
    return state->name;
  if (!args->args[0])
  {
    fifo_error_set("%s: path is NULL", fn);
    return NULL;
  }
  allowed= fifo_thread_allowed(thread);
  status= fifo_path_resolve(&allowed, args->args[0], args->lengths[0],
                            state->name);
  if (status != FIFO_PATH_OK)
  {
    fifo_quote(quoted, sizeof(quoted), args->args[0], args->lengths[0]);
    fifo_error_set("%s: path %s %s (%s), left untouched", fn, quoted,
                   fifo_path_reason(status), config->dir);
    return NULL;
  }
  return state->name;
}


void fifo_state_fail(const char *fn, const char *name, int code,
                     int timeout_ms)
{
  const char *dir= fifo_config_get()->dir;
  const char *code_name= fifo_code_name(code);

  switch (code)
  {
  case ENXIO:
    fifo_error_set("%s: no reader on %s/%s (%s)", fn, dir, name, code_name);
    return;
  case ENOENT:
    fifo_error_set("%s: %s/%s does not exist (%s)", fn, dir, name,
                   code_name);
    return;
  case EPIPE:
    fifo_error_set("%s: the reader of %s/%s went away (%s)", fn, dir, name,
                   code_name);
    return;
  case ETIMEDOUT:
    fifo_error_set("%s: %s/%s %s within %d ms (%s)", fn, dir, name,
                   strcmp(fn, "fifo_read") ? "had no room" : "gave no line",
                   timeout_ms, code_name);
    return;
  case FIFO_E_NOT_FIFO:
  case FIFO_E_CHANGED:
    fifo_error_set("%s: %s/%s is not a FIFO (%s), left untouched", fn, dir,
                   name, code_name);
    return;
  case FIFO_E_LINE_LONG:
    fifo_error_set("%s: a line over %d bytes on %s/%s was discarded (%s)",
                   fn, FIFO_LINE_MAX, dir, name, code_name);
    return;
  case FIFO_E_PARTIAL:
    fifo_error_set("%s: %s/%s gave part of a line within %d ms; "
                   "it was discarded (%s)", fn, dir, name, timeout_ms,
                   code_name);
    return;
  }
  fifo_error_set("%s: %s on %s/%s (errno %d)", fn, code_name, dir, name,
                 code);
}


char *fifo_answer(char *result, unsigned long *length, int ok)
{
  const char *text= ok ? answer_true : answer_false;
  size_t text_length= ok ? sizeof(answer_true) - 1 : sizeof(answer_false) - 1;

  memcpy(result, text, text_length);
  *length= (unsigned long) text_length;
  return result;
}
