/*
  fifo_udf_meta.c - fifo_error() and fifo_info(): what the library can tell
  SQL about itself, in the spirit of lib_mysqludf_preg's *_info().
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fifo_config.h"
#include "fifo_error.h"
#include "fifo_fail_fast.h"
#include "fifo_limits.h"
#include "fifo_pipe_buffer.h"
#include "fifo_thread.h"
#include "fifo_udf.h"

/* Two directory paths and the names of the marked pipes listed, each
   escaped at worst 6 bytes a byte, plus the fixed fields: never
   truncated. */
#define FIFO_INFO_MAX                                                      \
  (2 * FIFO_JSON_ESCAPE_MAX * (FIFO_PATH_MAX + 1) +                        \
   FIFO_INFO_MARKED_MAX * (FIFO_JSON_ESCAPE_MAX * (FIFO_NAME_MAX + 1) +    \
                           FIFO_INFO_PIPE_FIELDS_MAX) + 1024)
#define FIFO_JSON_ESCAPE_MAX 6 /* \u00XX */
#define FIFO_INFO_PIPE_FIELDS_MAX 96


fifo_bool fifo_error_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
  if (args->arg_count != 0)
  {
    snprintf(message, FIFO_INIT_MESSAGE_MAX, "usage: fifo_error()");
    return 1;
  }
  initid->ptr= NULL;
  initid->maybe_null= 1;
  initid->max_length= FIFO_ERROR_MAX - 1;
  /* Changes with every fifo_* call, even within one statement. */
  initid->const_item= 0;
  return 0;
}


void fifo_error_deinit(UDF_INIT *initid)
{
  (void) initid;
}


char *fifo_error(UDF_INIT *initid, UDF_ARGS *args, char *result,
                 unsigned long *length, fifo_flag *is_null, fifo_flag *error)
{
  size_t error_length;
  const char *text= fifo_error_get(&error_length);

  (void) initid;
  (void) args;
  (void) result;
  (void) error;
  if (!text)
  {
    *is_null= 1;
    return NULL;
  }
  *length= (unsigned long) error_length;
  /* The thread's own buffer: the server copies it before this thread can
     call another fifo_* function. */
  return (char *) text;
}


/* Appends text as a JSON string (or null) at out + *used, within size. */
static void json_string(char *out, size_t size, size_t *used,
                        const char *text)
{
  static const char hex[]= "0123456789abcdef";
  size_t o= *used;

  if (!text)
  {
    o+= (size_t) snprintf(out + o, size - o, "null");
    *used= o < size ? o : size - 1;
    return;
  }
  out[o++]= '"';
  for (; *text && o + FIFO_JSON_ESCAPE_MAX + 2 < size; text++)
  {
    unsigned char c= (unsigned char) *text;
    if (c == '"' || c == '\\')
    {
      out[o++]= '\\';
      out[o++]= (char) c;
    }
    else if (c < 0x20)
    {
      o+= (size_t) snprintf(out + o, size - o, "\\u00%c%c", hex[c >> 4],
                            hex[c & 0xf]);
    }
    else
      out[o++]= (char) c;
  }
  out[o++]= '"';
  out[o]= '\0';
  *used= o;
}


/* How much snprintf wrote, kept within the buffer. */
static void advance(size_t *used, int n, size_t size)
{
  if (n > 0)
    *used+= (size_t) n;
  if (*used >= size)
    *used= size - 1;
}


/* The pipe sizes asked for and what the opens did. */
static void info_pipe_size(char *out, size_t size, size_t *used,
                           const fifo_config *config)
{
  fifo_pipe_buffer_stats stats;

  fifo_pipe_buffer_stats_get(&stats);
  advance(used, snprintf(out + *used, size - *used,
                         ",\"pipe_size\":%d,\"pipe_max_size\":%d"
                         ",\"pipe_size_target\":%d,\"pipes_grown\":%llu"
                         ",\"pipes_not_grown\":%llu,\"pipe_size_error\":",
                         config->pipe_size, config->pipe_max_size,
                         config->pipe_size_target, stats.grown, stats.failed),
          size);
  json_string(out, size, used,
              stats.last_error ? fifo_code_name(stats.last_error) : NULL);
}


/* The pipes failing fast now, the first FIFO_INFO_MARKED_MAX by name. */
static void info_fail_fast(char *out, size_t size, size_t *used,
                           long long now_ms)
{
  fifo_fail_fast_entry marked[FIFO_INFO_MARKED_MAX];
  unsigned int count= fifo_fail_fast_list(marked, FIFO_INFO_MARKED_MAX), i;

  advance(used, snprintf(out + *used, size - *used,
                         ",\"fail_fast\":{\"slots\":%d,\"marked\":%u"
                         ",\"pipes\":[", FIFO_FAIL_FAST_SLOTS, count),
          size);
  for (i= 0; i < count && i < FIFO_INFO_MARKED_MAX; i++)
  {
    long long for_ms= now_ms > marked[i].since_ms ?
                      now_ms - marked[i].since_ms : 0;
    advance(used, snprintf(out + *used, size - *used, "%s{\"name\":",
                           i ? "," : ""), size);
    json_string(out, size, used, marked[i].name);
    advance(used, snprintf(out + *used, size - *used,
                           ",\"failing_for_ms\":%lld,\"refused\":%llu}",
                           for_ms, marked[i].refused), size);
  }
  advance(used, snprintf(out + *used, size - *used, "]}"), size);
}


/* The settings, the directory as this thread resolved it, pipe sizes and
   the pipes failing fast. */
static size_t info_json(char *out, size_t size, const fifo_config *config,
                        const fifo_thread *thread)
{
  int dir_error= thread ? thread->dir_error : ENOMEM;
  size_t used= 0;

  used+= (size_t) snprintf(out, size,
                           "{\"version\":\"" FIFO_VERSION "\",\"pipe_dir\":");
  json_string(out, size, &used, config->dir);
  used+= (size_t) snprintf(out + used, size - used, ",\"pipe_dir_real\":");
  json_string(out, size, &used, dir_error ? NULL : thread->dir_real);
  used+= (size_t) snprintf(out + used, size - used, ",\"pipe_dir_error\":");
  json_string(out, size, &used, dir_error ? fifo_code_name(dir_error) : NULL);
  advance(&used, snprintf(out + used, size - used,
                          ",\"write_timeout_ms\":%d"
                          ",\"write_timeout_max_ms\":%d"
                          ",\"read_timeout_ms\":%d"
                          ",\"read_timeout_max_ms\":%d"
                          ",\"line_max\":%d,\"create_mode\":\"%04o\"",
                          config->write_timeout_ms,
                          FIFO_WRITE_TIMEOUT_MAX_MS,
                          FIFO_READ_TIMEOUT_DEFAULT_MS,
                          FIFO_READ_TIMEOUT_MAX_MS, FIFO_LINE_MAX,
                          FIFO_CREATE_MODE), size);
  info_pipe_size(out, size, &used, config);
  info_fail_fast(out, size, &used, fifo_coarse_ms());
  advance(&used, snprintf(out + used, size - used, "}"), size);
  return used;
}


fifo_bool fifo_info_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
  char *info= NULL;
  fifo_bool failed= 1;

  if (args->arg_count != 0)
  {
    snprintf(message, FIFO_INIT_MESSAGE_MAX, "usage: fifo_info()");
    goto end;
  }
  if (!(info= malloc(FIFO_INFO_MAX)))
  {
    snprintf(message, FIFO_INIT_MESSAGE_MAX, "fifo_info: out of memory");
    goto end;
  }
  initid->max_length= (unsigned long) info_json(info, FIFO_INFO_MAX,
                                                fifo_config_get(),
                                                fifo_thread_get());
  initid->ptr= info;
  initid->maybe_null= 0;
  initid->const_item= 1;
  info= NULL;
  failed= 0;

end:
  free(info);
  return failed;
}


void fifo_info_deinit(UDF_INIT *initid)
{
  free(initid->ptr);
  initid->ptr= NULL;
}


char *fifo_info(UDF_INIT *initid, UDF_ARGS *args, char *result,
                unsigned long *length, fifo_flag *is_null, fifo_flag *error)
{
  (void) args;
  (void) result;
  (void) is_null;
  (void) error;
  *length= (unsigned long) initid->max_length;
  return initid->ptr;
}
