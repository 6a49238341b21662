/*
  test_fail_fast.c - fifo_write against a stalled reader: a pipe found full
  past its bounded wait fails fast in every thread until its reader has
  emptied half of it; a pipe replaced under its name starts afresh; pipes
  are grown to DBFIFO_PIPE_SIZE when fifo_write opens them.

  The stalled consumer holds the pipe read-write and never reads, as
  fifo-core holds its pipe. Time bounds are wide (the box is shared): what
  is checked is "one wait, not one per write", not a speed.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fifo_config.h"
#include "fifo_fail_fast.h"
#include "fifo_limits.h"
#include "fifo_pipe_buffer.h"
#include "fifo_udf.h"
#include "fixtures.h"
#include "testhelp.h"

#define WAIT_MS 200
#define THREADS 4
#define WRITES_PER_THREAD 25
#define INFO_MAX 200000

static char dir[256];


/* The stalled consumer: holds the pipe read-write, reads only when told. */
static int open_holder(const char *name)
{
  return fixture_open(dir, name, O_RDWR);
}


/* A reader that reads (the worker of a new pipe). */
static int open_reader(const char *name)
{
  return fixture_open(dir, name, O_RDONLY);
}


static int make_fifo(const char *name)
{
  return fixture_mkfifo(dir, name);
}


static void remove_entry(const char *name)
{
  fixture_unlink(dir, name);
}


/* One trigger row with a per-call timeout: 1 'true', 0 'false', -1 init failed. */
static int write_row(const char *name, const char *message, long long timeout)
{
  return fixture_write_row(name, message, &timeout);
}


static fifo_entry_id id_of(const char *name)
{
  char path[300];
  struct stat st;
  fifo_entry_id id= { 0, 0 };

  fixture_path(path, sizeof(path), dir, name);
  if (stat(path, &st) == 0)
  {
    id.dev= st.st_dev;
    id.ino= st.st_ino;
  }
  return id;
}


static int is_marked(const char *name)
{
  fifo_entry_id id= id_of(name);
  fifo_fail_fast_mark mark;
  return fifo_fail_fast_marked(&id, &mark);
}


/* Writes until the kernel says EAGAIN, small writes last: no room left
   even for a one-byte line. */
static void fill(int fd)
{
  char block[FIFO_LINE_MAX];
  memset(block, 'f', sizeof(block));
  while (write(fd, block, sizeof(block)) > 0)
  {
  }
  while (write(fd, "f", 1) > 0)
  {
  }
}


static int queued(int fd)
{
  int n= -1;
  ioctl(fd, FIONREAD, &n);
  return n;
}


/* Reads from the holder until at most target bytes are left. */
static void drain_to(int fd, int target)
{
  char buf[FIFO_LINE_MAX];
  int left;

  while ((left= queued(fd)) > target)
  {
    size_t want= (size_t) (left - target) < sizeof(buf) ?
                 (size_t) (left - target) : sizeof(buf);
    if (read(fd, buf, want) <= 0)
      return;
  }
}


/* fifo_info() as the server would call it, into a static buffer. */
static const char *info(void)
{
  static char text[INFO_MAX];
  return fixture_info(text, sizeof(text));
}


typedef struct writer_result
{
  int answered_true;
  int waited;            /* calls that took at least half the wait */
  double total_ms;
  char error[FIFO_ERROR_MAX];
} writer_result;


static void *full_pipe_writer(void *arg)
{
  writer_result *result= arg;
  double started= fixture_now_ms();
  int i;

  for (i= 0; i < WRITES_PER_THREAD; i++)
  {
    double t0= fixture_now_ms();
    if (write_row("full", "doorbell", WAIT_MS) == 1)
      result->answered_true++;
    if (fixture_now_ms() - t0 >= WAIT_MS / 2)
      result->waited++;
  }
  result->total_ms= fixture_now_ms() - started;
  fixture_last_error(result->error, sizeof(result->error));
  return NULL;
}


static void test_threads_fail_fast(void)
{
  pthread_t threads[THREADS];
  writer_result results[THREADS];
  char error[FIFO_ERROR_MAX];
  const char *refused;
  int holder, i, answered_true= 0, waited= 0, slowest_ok= 1, explained= 1;
  double t0;

  make_fifo("full");
  holder= open_holder("full");
  test_cond("a first line goes in", write_row("full", "first", WAIT_MS) == 1);
  fill(holder);

  memset(results, 0, sizeof(results));
  for (i= 0; i < THREADS; i++)
    pthread_create(&threads[i], NULL, full_pipe_writer, &results[i]);
  for (i= 0; i < THREADS; i++)
  {
    pthread_join(threads[i], NULL);
    answered_true+= results[i].answered_true;
    waited+= results[i].waited;
    /* One wait each at most (the ones already waiting when the first
       marked the pipe), not WRITES_PER_THREAD of them. */
    if (results[i].total_ms > 2.5 * WAIT_MS)
      slowest_ok= 0;
    if (!strstr(results[i].error, "/full is full: its reader is not keeping "
                "up; failing fast for ") ||
        !strstr(results[i].error, " writes refused (EAGAIN)"))
      explained= 0;
  }
  test_cond("every write to the full pipe answered 'false'",
            answered_true == 0);
  test_cond("at least one write waited its bounded wait", waited >= 1);
  test_cond("at most one wait per thread (the first episode)",
            waited <= THREADS);
  test_cond("each thread's 25 writes took about one wait, not 25",
            slowest_ok);
  test_cond("fifo_error() of a refused write says it fails fast", explained);

  t0= fixture_now_ms();
  test_cond("one more write: 'false'", write_row("full", "x", WAIT_MS) == 0);
  test_cond("at once", fixture_now_ms() - t0 < WAIT_MS / 2);
  fixture_last_error(error, sizeof(error));
  refused= strstr(error, " ms, ");
  test_cond("counted: at least the refusals of the threads",
            refused && atoi(refused + 5) >=
                         THREADS * WRITES_PER_THREAD - THREADS + 1);
  test_cond("fifo_info() lists the pipe",
            strstr(info(), "{\"name\":\"full\",\"failing_for_ms\":"));
  close(holder);
  remove_entry("full");
}


static void test_recovery(void)
{
  char error[FIFO_ERROR_MAX];
  int holder, capacity;
  double t0, elapsed;

  make_fifo("recover");
  holder= open_holder("recover");
  test_cond("first line", write_row("recover", "a", WAIT_MS) == 1);
  capacity= fcntl(holder, F_GETPIPE_SZ);
  fill(holder);
  t0= fixture_now_ms();
  test_cond("full: 'false'", write_row("recover", "b", WAIT_MS) == 0);
  elapsed= fixture_now_ms() - t0;
  test_cond("after the bounded wait",
            elapsed >= WAIT_MS - 5 && elapsed < 10 * WAIT_MS);
  fixture_last_error(error, sizeof(error));
  test_cond("explained: no room within the wait, fails fast from now",
            strstr(error, "had no room within 200 ms (ETIMEDOUT)") &&
            strstr(error, "fail fast until it is half empty"));
  test_cond("marked", is_marked("recover"));

  /* The reader takes a little: there is room, the line goes in, but the
     pipe is still more than half full: the mark stays. */
  drain_to(holder, queued(holder) - 2 * FIFO_LINE_MAX);
  test_cond("room again: 'true'", write_row("recover", "c", WAIT_MS) == 1);
  test_cond("still over half full: still marked", is_marked("recover"));
  fill(holder);
  t0= fixture_now_ms();
  test_cond("full again while marked: 'false'",
            write_row("recover", "d", WAIT_MS) == 0);
  test_cond("at once, no second wait", fixture_now_ms() - t0 < WAIT_MS / 2);

  /* The reader catches up to half: the next write clears the mark. */
  drain_to(holder, capacity / 2 - FIFO_LINE_MAX);
  test_cond("half empty: 'true'", write_row("recover", "e", WAIT_MS) == 1);
  test_cond("and the mark is gone", !is_marked("recover"));
  fill(holder);
  t0= fixture_now_ms();
  test_cond("full once more: 'false'",
            write_row("recover", "f", WAIT_MS) == 0);
  test_cond("a new episode waits its bounded wait again",
            fixture_now_ms() - t0 >= WAIT_MS - 5);
  close(holder);
  remove_entry("recover");
}


static void test_inode_replaced(void)
{
  char buf[64], error[FIFO_ERROR_MAX];
  fifo_entry_id old_id;
  int old_holder, reader, holder;
  fifo_fail_fast_mark mark;
  ssize_t n;
  double t0;

  make_fifo("swap");
  old_holder= open_holder("swap");
  test_cond("old pipe: 'true'", write_row("swap", "a", WAIT_MS) == 1);
  fill(old_holder);
  test_cond("old pipe full: 'false'", write_row("swap", "b", 20) == 0);
  test_cond("old pipe fails fast", write_row("swap", "c", WAIT_MS) == 0 &&
            strstr(fixture_last_error(error, sizeof(error)), "failing fast"));
  old_id= id_of("swap");

  /* The worker makes a new FIFO under the name and reads it; the stalled
     process still holds the old one. */
  remove_entry("swap");
  make_fifo("swap");
  reader= open_reader("swap");
  fixture_sleep_ms(FIFO_PIPE_RECHECK_MS + 50);
  test_cond("new pipe under the name: 'true'",
            write_row("swap", "new", WAIT_MS) == 1);
  n= read(reader, buf, sizeof(buf) - 1);
  buf[n > 0 ? n : 0]= '\0';
  test_cond("the line is in the new pipe", strcmp(buf, "new\n") == 0);
  test_cond("the new pipe is not marked", !is_marked("swap"));
  test_cond("the old pipe's mark went with its name",
            !fifo_fail_fast_marked(&old_id, &mark));

  /* Full for its own reason, the new pipe gets its own bounded wait. */
  close(reader);
  holder= open_holder("swap");
  fill(holder);
  t0= fixture_now_ms();
  test_cond("new pipe full: 'false'", write_row("swap", "d", WAIT_MS) == 0);
  test_cond("after a wait of its own, not failed fast by the old mark",
            fixture_now_ms() - t0 >= WAIT_MS - 5);
  close(holder);
  close(old_holder);
  remove_entry("swap");
}


static int pipe_size_of(const char *name, const char *message)
{
  int holder= open_holder(name), size;

  write_row(name, message, WAIT_MS);
  size= fcntl(holder, F_GETPIPE_SZ);
  close(holder);
  return size;
}


static void test_pipe_size(void)
{
  int max_size= fifo_read_pipe_max_size(), holder;
  int want= max_size > 0 && max_size < FIFO_PIPE_SIZE_DEFAULT ?
            max_size : FIFO_PIPE_SIZE_DEFAULT;
  char text[64];

  make_fifo("size");
  test_cond("an open grows the pipe to 1 MiB (or pipe-max-size)",
            pipe_size_of("size", "a") == want);
  remove_entry("size");

  setenv("DBFIFO_PIPE_SIZE", "0", 1);
  fifo_config_reload();
  make_fifo("size");
  test_cond("DBFIFO_PIPE_SIZE=0 leaves the kernel's size",
            pipe_size_of("size", "b") == FIFO_PIPE_SIZE_KERNEL_DEFAULT);
  remove_entry("size");

  /* A pipe the worker made bigger stays as big. */
  setenv("DBFIFO_PIPE_SIZE", "131072", 1);
  fifo_config_reload();
  make_fifo("size");
  holder= open_holder("size");
  fcntl(holder, F_SETPIPE_SZ, want);
  test_cond("never shrunk", pipe_size_of("size", "c") == want);
  close(holder);
  remove_entry("size");

  /* Asked for more than the administrator allows: capped (even as root). */
  if (max_size > 0)
  {
    snprintf(text, sizeof(text), "%d", max_size * 4);
    setenv("DBFIFO_PIPE_SIZE", text, 1);
    fifo_config_reload();
    make_fifo("size");
    test_cond("capped at pipe-max-size",
              pipe_size_of("size", "d") == max_size);
    remove_entry("size");
  }
  snprintf(text, sizeof(text), "\"pipe_max_size\":%d", max_size);
  test_cond("fifo_info() shows the setting and the kernel's maximum",
            strstr(info(), "\"pipe_size\":") && strstr(info(), text) &&
            strstr(info(), "\"pipes_grown\":"));
  unsetenv("DBFIFO_PIPE_SIZE");
  fifo_config_reload();
}


/*
  In a child that is not root: past pipe-user-pages-soft the kernel refuses
  to grow a pipe (EPERM). The refusal must be ignored (the pipe keeps its
  capacity, which is answered) and counted. Exit status: 0 checked,
  1 wrong, 2 the kernel never refused (no limit here).
*/
static int refusal_child(void)
{
  fifo_pipe_buffer_stats stats= { 0, 0, 0 };
  int fds[2], i, capacity= 0, answered= 0;

  for (i= 0; i < 1024; i++)
  {
    if (pipe2(fds, O_CLOEXEC))
      return 2;
    answered= fifo_pipe_grow(fds[1], FIFO_PIPE_SIZE_DEFAULT);
    capacity= fcntl(fds[1], F_GETPIPE_SZ);
    fifo_pipe_buffer_stats_get(&stats);
    if (stats.failed)
      break;
  }
  if (!stats.failed)
    return 2;
  return stats.last_error == EPERM && answered == capacity &&
         capacity < FIFO_PIPE_SIZE_DEFAULT ? 0 : 1;
}


static void test_refusal_counted(void)
{
  struct passwd *nobody= getpwnam("nobody");
  pid_t child;
  int status= 0;

  if (geteuid() != 0 || !nobody)
  {
    printf("skipped: the EPERM check needs root (to become nobody)\n");
    return;
  }
  /* The child must not print what this process has buffered. */
  fflush(stdout);
  fflush(stderr);
  if ((child= fork()) == 0)
  {
    if (setgid(nobody->pw_gid) || setuid(nobody->pw_uid))
      _exit(3);
    _exit(refusal_child());
  }
  waitpid(child, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
  {
    printf("skipped: the kernel never refused to grow a pipe "
           "(pipe-user-pages-soft 0?)\n");
    return;
  }
  test_cond("a refused F_SETPIPE_SZ is ignored and counted (EPERM)",
            WIFEXITED(status) && WEXITSTATUS(status) == 0);
}


void test_fail_fast(void)
{
  snprintf(dir, sizeof(dir), "%s/fail-fast", test_dir());
  mkdir(dir, 0755);
  setenv("DBFIFO_PIPE_DIR", dir, 1);
  fifo_config_reload();
  test_threads_fail_fast();
  test_recovery();
  test_inode_replaced();
  test_pipe_size();
  test_refusal_counted();
}
