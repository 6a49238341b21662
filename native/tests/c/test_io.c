/*
  test_io.c - fifo_io.c against real pipes in a temporary directory.
*/
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "fifo_io.h"
#include "fifo_limits.h"
#include "fixtures.h"
#include "testhelp.h"

#define WRITERS 8
#define LINES_PER_WRITER 25
#define LINE_BYTES 4000

static int dir_fd= -1;


static int write_all(int fd, const char *text)
{
  size_t length= strlen(text);
  return write(fd, text, length) == (ssize_t) length;
}


static void fill_pipe(int fd)
{
  char block[FIFO_LINE_MAX];
  memset(block, 'f', sizeof(block));
  while (write(fd, block, sizeof(block)) > 0)
  {
  }
}


typedef struct writer_arg
{
  int id;
  int failures;
} writer_arg;


static void *writer_main(void *p)
{
  writer_arg *arg= p;
  char line[LINE_BYTES + 1];
  int fd, i;

  if (fifo_open_writer(dir_fd, "many", &fd, NULL))
  {
    arg->failures= LINES_PER_WRITER;
    return NULL;
  }
  memset(line, 'a' + arg->id, LINE_BYTES);
  line[LINE_BYTES]= '\n';
  for (i= 0; i < LINES_PER_WRITER; i++)
    if (fifo_write_line(fd, line, sizeof(line), FIFO_WRITE_TIMEOUT_MAX_MS,
                        0))
      arg->failures++;
  close(fd);
  return NULL;
}


static void test_concurrent_writers(void)
{
  pthread_t threads[WRITERS];
  writer_arg args[WRITERS];
  char line[FIFO_LINE_MAX];
  int counts[WRITERS]= { 0 };
  int reader, i, whole= 1, failures= 0, total= 0;

  test_cond("make many", fifo_make(dir_fd, "many") == 0);
  test_cond("open reader", fifo_open_reader(dir_fd, "many", &reader) == 0);
  for (i= 0; i < WRITERS; i++)
  {
    args[i].id= i;
    args[i].failures= 0;
    pthread_create(&threads[i], NULL, writer_main, &args[i]);
  }
  for (;;)
  {
    size_t n, j;
    int id;
    if (fifo_read_line(reader, line, sizeof(line), &n, 2000))
      break;
    total++;
    id= line[0] - 'a';
    if (n != LINE_BYTES || id < 0 || id >= WRITERS)
    {
      whole= 0;
      continue;
    }
    for (j= 0; j < n; j++)
      if (line[j] != line[0])
        whole= 0;
    counts[id]++;
    if (total == WRITERS * LINES_PER_WRITER)
      break;
  }
  for (i= 0; i < WRITERS; i++)
  {
    pthread_join(threads[i], NULL);
    failures+= args[i].failures;
    if (counts[i] != LINES_PER_WRITER)
      whole= 0;
  }
  close(reader);
  test_cond("8 threads wrote every 4000-byte line", failures == 0);
  test_cond("every line arrived whole, none interleaved",
            whole && total == WRITERS * LINES_PER_WRITER);
}


static void test_write_read(void)
{
  char line[FIFO_LINE_MAX];
  size_t n= 0;
  int reader, writer, rc;
  double t0, elapsed;

  test_cond("mkfifo", fifo_make(dir_fd, "p") == 0);
  test_cond("mkfifo again is fine", fifo_make(dir_fd, "p") == 0);

  t0= fixture_now_ms();
  test_cond("no reader: ENXIO", fifo_open_writer(dir_fd, "p", &writer, NULL) ==
            ENXIO);
  /* Generous bounds: the box is shared; what matters is "does not hang". */
  test_cond("no reader answers at once", fixture_now_ms() - t0 < 2000);

  test_cond("reader opens", fifo_open_reader(dir_fd, "p", &reader) == 0);
  test_cond("writer opens", fifo_open_writer(dir_fd, "p", &writer, NULL) == 0);
  test_cond("write a line", fifo_write_line(writer, "one\n", 4, 100, 0) == 0);
  test_cond("two lines in one write",
            fifo_write_line(writer, "two\nthree\n", 10, 100, 1) == 0);
  test_cond("read first line",
            fifo_read_line(reader, line, sizeof(line), &n, 100) == 0 &&
            n == 3 && memcmp(line, "one", 3) == 0);
  test_cond("read never swallows the next line",
            fifo_read_line(reader, line, sizeof(line), &n, 100) == 0 &&
            n == 3 && memcmp(line, "two", 3) == 0);
  test_cond("and the next",
            fifo_read_line(reader, line, sizeof(line), &n, 100) == 0 &&
            n == 5 && memcmp(line, "three", 5) == 0);

  t0= fixture_now_ms();
  rc= fifo_read_line(reader, line, sizeof(line), &n, 50);
  elapsed= fixture_now_ms() - t0;
  test_cond("empty pipe: ETIMEDOUT", rc == ETIMEDOUT);
  test_cond("read waits about its timeout", elapsed >= 49 && elapsed < 2000);

  test_cond("partial line", write_all(writer, "abc"));
  test_cond("timeout inside a line: FIFO_E_PARTIAL",
            fifo_read_line(reader, line, sizeof(line), &n, 20) ==
            FIFO_E_PARTIAL);

  {
    static char big[FIFO_LINE_MAX + 100];
    memset(big, 'L', sizeof(big));
    big[sizeof(big) - 1]= '\n';
    test_cond("write long raw line",
              write(writer, big, sizeof(big)) == (ssize_t) sizeof(big));
    test_cond("next", write_all(writer, "next\n"));
    test_cond("long line discarded",
              fifo_read_line(reader, line, sizeof(line), &n, 100) ==
              FIFO_E_LINE_LONG);
    test_cond("line after it intact",
              fifo_read_line(reader, line, sizeof(line), &n, 100) == 0 &&
              n == 4 && memcmp(line, "next", 4) == 0);
  }

  fill_pipe(writer);
  t0= fixture_now_ms();
  rc= fifo_write_line(writer, "late\n", 5, 100, 0);
  elapsed= fixture_now_ms() - t0;
  test_cond("full pipe: ETIMEDOUT", rc == ETIMEDOUT);
  test_cond("full pipe waits about the bound",
            elapsed >= 99 && elapsed < 2000);
  t0= fixture_now_ms();
  test_cond("full pipe, timeout 0: at once",
            fifo_write_line(writer, "late\n", 5, 0, 0) == ETIMEDOUT &&
            fixture_now_ms() - t0 < 2000);
  close(writer);
  close(reader);
}


static void test_epipe_without_signal(void)
{
  sigset_t before, after, pending;
  struct sigaction old_action, default_action;
  int reader, writer, rc;

  memset(&default_action, 0, sizeof(default_action));
  default_action.sa_handler= SIG_DFL;
  sigaction(SIGPIPE, &default_action, &old_action);
  pthread_sigmask(SIG_SETMASK, NULL, &before);

  reader= openat(dir_fd, "p", O_RDONLY | O_NONBLOCK);
  test_cond("plain reader", reader >= 0);
  test_cond("writer", fifo_open_writer(dir_fd, "p", &writer, NULL) == 0);
  close(reader);
  /* With SIG_DFL a delivered SIGPIPE would end this test process. */
  test_cond("SIG_DFL is not 'ignored'", fifo_sigpipe_ignored() == 0);
  rc= fifo_write_line(writer, "x\n", 2, 100, fifo_sigpipe_ignored());
  test_cond("reader gone: EPIPE", rc == EPIPE);
  sigpending(&pending);
  test_cond("no SIGPIPE left pending", !sigismember(&pending, SIGPIPE));
  pthread_sigmask(SIG_SETMASK, NULL, &after);
  test_cond("signal mask restored",
            sigismember(&before, SIGPIPE) == sigismember(&after, SIGPIPE));
  close(writer);

  /* As in mysqld: SIGPIPE ignored, the mask calls are skipped. */
  default_action.sa_handler= SIG_IGN;
  sigaction(SIGPIPE, &default_action, NULL);
  test_cond("SIG_IGN seen", fifo_sigpipe_ignored() == 1);
  reader= openat(dir_fd, "p", O_RDONLY | O_NONBLOCK);
  test_cond("writer again", fifo_open_writer(dir_fd, "p", &writer, NULL) == 0);
  close(reader);
  test_cond("ignored: EPIPE", fifo_write_line(writer, "x\n", 2, 100, 1) ==
            EPIPE);
  close(writer);
  sigaction(SIGPIPE, &old_action, NULL);
}


static void test_not_fifo(void)
{
  char path[256], target[256];
  struct stat st;
  int fd= -1, file;

  snprintf(target, sizeof(target), "%s/outside.txt", test_dir());
  file= open(target, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  test_cond("outside file", file >= 0 && write_all(file, "keep"));
  close(file);
  snprintf(path, sizeof(path), "%s/pipes/link", test_dir());
  test_cond("symlink", symlink(target, path) == 0);
  test_cond("symlink not opened", fifo_open_writer(dir_fd, "link", &fd, NULL) ==
            FIFO_E_NOT_FIFO);
  test_cond("symlink not removed", fifo_unlink(dir_fd, "link", NULL) ==
            FIFO_E_NOT_FIFO);
  test_cond("target intact", stat(target, &st) == 0 && st.st_size == 4);
  test_cond("symlink still there", lstat(path, &st) == 0);

  snprintf(path, sizeof(path), "%s/pipes/pipe-link", test_dir());
  test_cond("symlink to a FIFO",
            symlinkat("p", dir_fd, "pipe-link") == 0);
  test_cond("symlink to a FIFO not followed",
            fifo_open_reader(dir_fd, "pipe-link", &fd) == FIFO_E_NOT_FIFO);

  file= openat(dir_fd, "file", O_CREAT | O_WRONLY, 0644);
  close(file);
  test_cond("regular file not opened",
            fifo_open_writer(dir_fd, "file", &fd, NULL) == FIFO_E_NOT_FIFO);
  test_cond("regular file not removed",
            fifo_unlink(dir_fd, "file", NULL) == FIFO_E_NOT_FIFO &&
            fstatat(dir_fd, "file", &st, 0) == 0);
  test_cond("mkfifo over a file refused",
            fifo_make(dir_fd, "file") == FIFO_E_NOT_FIFO);

  test_cond("subdir", mkdirat(dir_fd, "sub", 0755) == 0);
  test_cond("directory not removed",
            fifo_unlink(dir_fd, "sub", NULL) == FIFO_E_NOT_FIFO);
  test_cond("directory not opened",
            fifo_open_reader(dir_fd, "sub", &fd) == FIFO_E_NOT_FIFO);

  if (mknodat(dir_fd, "null", S_IFCHR | 0666, makedev(1, 3)) == 0)
  {
    test_cond("device not opened",
              fifo_open_writer(dir_fd, "null", &fd, NULL) == FIFO_E_NOT_FIFO);
    test_cond("device not removed",
              fifo_unlink(dir_fd, "null", NULL) == FIFO_E_NOT_FIFO);
  }
  else
    printf("io: device checks skipped: mknod needs CAP_MKNOD (%s)\n",
           strerror(errno));

  test_cond("missing: ENOENT", fifo_open_writer(dir_fd, "none", &fd, NULL) ==
            ENOENT);
  test_cond("remove missing: ENOENT",
            fifo_unlink(dir_fd, "none", NULL) == ENOENT);
  test_cond("remove FIFO", fifo_unlink(dir_fd, "p", NULL) == 0 &&
            fstatat(dir_fd, "p", &st, AT_SYMLINK_NOFOLLOW) != 0);
}


void test_io(void)
{
  char path[256];

  snprintf(path, sizeof(path), "%s/pipes", test_dir());
  mkdir(path, 0755);
  test_cond("open allowed dir", fifo_dir_open(path, &dir_fd) == 0);
  test_write_read();
  test_concurrent_writers();
  test_epipe_without_signal();
  test_not_fifo();
  close(dir_fd);
}
