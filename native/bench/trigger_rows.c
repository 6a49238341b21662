/*
  trigger_rows.c - what fifo_write costs per row inside a trigger, without
  the server: inside a trigger every row is its own statement, so the
  server calls fifo_write_init, fifo_write and fifo_write_deinit per row.
  This loop does the same against a FIFO drained by a reader thread, with
  SIGPIPE ignored as in mysqld, and prints the median of several runs.

    make bench-c                  (ROWS=100000 RUNS=5 by default)

  A micro-benchmark for comparing versions of fifo.so on one machine; the
  server-level figures are in docs/benchmarks.md (npm run bench --
  trigger-cost).
*/
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fifo_udf.h"

#define DEFAULT_ROWS 100000
#define DEFAULT_RUNS 5
#define MAX_RUNS 64
#define NSEC_PER_SEC 1e9

static volatile int reader_stop;


static void *drain(void *arg)
{
  int fd= *(int *) arg;
  char buf[65536];

  while (!reader_stop)
  {
    if (read(fd, buf, sizeof(buf)) < 0 && errno != EAGAIN && errno != EINTR)
      break;
  }
  return NULL;
}


static double now_s(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double) t.tv_sec + (double) t.tv_nsec / NSEC_PER_SEC;
}


static int compare_double(const void *a, const void *b)
{
  double x= *(const double *) a, y= *(const double *) b;
  return x < y ? -1 : x > y;
}


/* One "trigger row": init, row, deinit; answers 1 for 'true'. */
static int row(UDF_ARGS *args)
{
  UDF_INIT init;
  char message[512], result[255];
  unsigned long length= 0;
  fifo_flag is_null= 0, error= 0;
  char *r;
  int ok;

  memset(&init, 0, sizeof(init));
  if (fifo_write_init(&init, args, message))
    return 0;
  r= fifo_write(&init, args, result, &length, &is_null, &error);
  ok= r && length == 4 && memcmp(r, "true", 4) == 0;
  fifo_write_deinit(&init);
  return ok;
}


int main(void)
{
  char dir_template[]= "/tmp/fifo-bench-XXXXXX";
  char fifo_path[64];
  const char *dir;
  const char *rows_env= getenv("ROWS"), *runs_env= getenv("RUNS");
  long rows= rows_env ? atol(rows_env) : DEFAULT_ROWS;
  int runs= runs_env ? atoi(runs_env) : DEFAULT_RUNS;
  double per_row[MAX_RUNS];
  enum Item_result types[2];
  char *values[2];
  unsigned long lengths[2];
  char maybe_null[2]= { 0, 0 };
  UDF_ARGS args;
  pthread_t reader;
  int reader_fd, failures= 0, r;
  long i;

  if (runs < 1 || runs > MAX_RUNS || rows < 1)
    return 2;
  signal(SIGPIPE, SIG_IGN);
  if (!(dir= mkdtemp(dir_template)))
    return 2;
  setenv("DBFIFO_PIPE_DIR", dir, 1);
  snprintf(fifo_path, sizeof(fifo_path), "%s/bench", dir);
  if (mkfifo(fifo_path, 0600))
    return 2;
  reader_fd= open(fifo_path, O_RDWR);
  pthread_create(&reader, NULL, drain, &reader_fd);

  memset(&args, 0, sizeof(args));
  args.arg_count= 2;
  args.arg_type= types;
  args.args= values;
  args.lengths= lengths;
  args.maybe_null= maybe_null;
  values[0]= fifo_path;
  lengths[0]= strlen(fifo_path);
  values[1]= (char *) "{\"table\":\"t_fifo\",\"op\":\"insert\",\"id\":123456}";
  lengths[1]= strlen(values[1]);

  for (r= 0; r < runs; r++)
  {
    double t0= now_s();
    for (i= 0; i < rows; i++)
      failures+= !row(&args);
    per_row[r]= (now_s() - t0) * 1e6 / (double) rows;
    fprintf(stderr, "run %d: %.3f us/row\n", r + 1, per_row[r]);
  }
  qsort(per_row, (size_t) runs, sizeof(double), compare_double);
  printf("fifo_write per trigger row: median %.3f us (min %.3f, max %.3f) "
         "over %d runs of %ld rows, %d 'false'\n",
         per_row[runs / 2], per_row[0], per_row[runs - 1], runs, rows,
         failures);

  reader_stop= 1;
  /* A last line wakes the reader if it sits in read(). */
  if (write(reader_fd, "\n", 1) < 0)
    perror("write");
  pthread_join(reader, NULL);
  close(reader_fd);
  unlink(fifo_path);
  rmdir(dir);
  return failures ? 1 : 0;
}
