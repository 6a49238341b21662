/*
  fixtures.c - see fixtures.h.
*/
#include "fixtures.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fifo_limits.h"
#include "fifo_udf.h"

#define FIXTURE_PATH_MAX 512


double fixture_now_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double) t.tv_sec * 1000.0 + (double) t.tv_nsec / 1e6;
}


void fixture_sleep_ms(long ms)
{
  struct timespec t= { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep(&t, &t) && errno == EINTR)
  {
  }
}


void fixture_path(char *out, size_t size, const char *dir, const char *name)
{
  snprintf(out, size, "%s/%s", dir, name);
}


int fixture_mkfifo(const char *dir, const char *name)
{
  char path[FIXTURE_PATH_MAX];
  fixture_path(path, sizeof(path), dir, name);
  return mkfifo(path, 0600);
}


void fixture_unlink(const char *dir, const char *name)
{
  char path[FIXTURE_PATH_MAX];
  fixture_path(path, sizeof(path), dir, name);
  unlink(path);
}


int fixture_open(const char *dir, const char *name, int flags)
{
  char path[FIXTURE_PATH_MAX];
  fixture_path(path, sizeof(path), dir, name);
  return open(path, flags | O_NONBLOCK);
}


int fixture_write_row(const char *name, const char *message,
                      const long long *timeout_ms)
{
  UDF_INIT init;
  UDF_ARGS args;
  enum Item_result types[3];
  char *values[3];
  unsigned long lengths[3];
  char maybe_null[3]= { 0, 0, 0 };
  char text[FIFO_INIT_MESSAGE_MAX], result[255];
  unsigned long length= 0;
  fifo_flag is_null= 0, error= 0;
  long long timeout= timeout_ms ? *timeout_ms : 0;
  char *r;
  int ok;

  memset(&init, 0, sizeof(init));
  memset(&args, 0, sizeof(args));
  args.arg_count= timeout_ms ? 3 : 2;
  args.arg_type= types;
  args.args= values;
  args.lengths= lengths;
  args.maybe_null= maybe_null;
  values[0]= (char *) name;
  lengths[0]= strlen(name);
  values[1]= (char *) message;
  lengths[1]= strlen(message);
  values[2]= (char *) &timeout;
  lengths[2]= sizeof(timeout);
  if (fifo_write_init(&init, &args, text))
    return -1;
  r= fifo_write(&init, &args, result, &length, &is_null, &error);
  ok= r && length == 4 && memcmp(r, "true", 4) == 0;
  fifo_write_deinit(&init);
  return ok;
}


typedef fifo_bool (*text_init_fn)(UDF_INIT *, UDF_ARGS *, char *);
typedef char *(*text_row_fn)(UDF_INIT *, UDF_ARGS *, char *, unsigned long *,
                             fifo_flag *, fifo_flag *);
typedef void (*text_deinit_fn)(UDF_INIT *);

/* A UDF without arguments that answers text (fifo_error, fifo_info), called
   as the server calls it; its answer copied into out ("" when NULL). */
static const char *call_text_udf(text_init_fn init_fn, text_row_fn row_fn,
                                 text_deinit_fn deinit_fn, char *out,
                                 size_t size)
{
  UDF_INIT init;
  UDF_ARGS args;
  char message[FIFO_INIT_MESSAGE_MAX];
  unsigned long length= 0;
  fifo_flag is_null= 0, error= 0;
  char *r;

  memset(&init, 0, sizeof(init));
  memset(&args, 0, sizeof(args));
  out[0]= '\0';
  if (init_fn(&init, &args, message))
    return out;
  r= row_fn(&init, &args, NULL, &length, &is_null, &error);
  if (r && !is_null)
    snprintf(out, size, "%.*s", (int) length, r);
  deinit_fn(&init);
  return out;
}


const char *fixture_last_error(char *out, size_t size)
{
  return call_text_udf(fifo_error_init, fifo_error, fifo_error_deinit, out,
                       size);
}


const char *fixture_info(char *out, size_t size)
{
  return call_text_udf(fifo_info_init, fifo_info, fifo_info_deinit, out,
                       size);
}
