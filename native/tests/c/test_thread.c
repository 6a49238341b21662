/*
  test_thread.c - fifo_write's per-thread cache, as a trigger uses it: each
  row is init + row + deinit, and the pipe stays open between rows. What
  must hold while a descriptor is cached: a reader that leaves and comes
  back, a pipe removed or replaced, a regular file under the name, the
  directory replaced, and every descriptor closed when the thread ends.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fifo_config.h"
#include "fifo_limits.h"
#include "fifo_udf.h"
#include "fixtures.h"
#include "testhelp.h"

static char dir[256];


/* Open descriptors of this process. */
static int open_fds(void)
{
  DIR *d= opendir("/proc/self/fd");
  struct dirent *e;
  int n= 0;

  if (!d)
    return -1;
  while ((e= readdir(d)))
    if (e->d_name[0] != '.')
      n++;
  closedir(d);
  return n - 1; /* the one opendir() holds */
}


/* One trigger row: 1 'true', 0 'false', -1 init failed. */
static int trigger_row(const char *name, const char *message)
{
  return fixture_write_row(name, message, NULL);
}


/* This thread's fifo_error(), or NULL when there is none. */
static const char *last_error(void)
{
  static char text[FIFO_ERROR_MAX];
  return fixture_last_error(text, sizeof(text))[0] ? text : NULL;
}


static int make_fifo(const char *name)
{
  return fixture_mkfifo(dir, name);
}


/* A reader holding the pipe as fifo-core does (read-write: it never sees
   end-of-file, and the write end it holds is not ours). */
static int open_reader(const char *name)
{
  return fixture_open(dir, name, O_RDONLY);
}


static void remove_entry(const char *name)
{
  fixture_unlink(dir, name);
}


/* What the reader has received so far, NUL-terminated. */
static const char *received(int fd)
{
  static char buf[4096];
  ssize_t n= read(fd, buf, sizeof(buf) - 1);

  buf[n > 0 ? n : 0]= '\0';
  return buf;
}


static void test_rows_share_one_descriptor(void)
{
  int reader, before, i, ok= 1;

  make_fifo("rows");
  reader= open_reader("rows");
  test_cond("first row", trigger_row("rows", "1") == 1);
  before= open_fds();
  for (i= 0; i < 50; i++)
    if (trigger_row("rows", "x") != 1)
      ok= 0;
  test_cond("50 more rows: 'true'", ok);
  test_cond("no descriptor opened or left per row", open_fds() == before);
  test_cond("every line arrived",
            strlen(received(reader)) == 2 + 50 * 2);
  close(reader);
  remove_entry("rows");
}


static void test_reader_leaves_and_returns(void)
{
  int reader;

  make_fifo("leave");
  reader= open_reader("leave");
  test_cond("reader there: true", trigger_row("leave", "a") == 1);
  close(reader);
  test_cond("reader gone, cached pipe: false", trigger_row("leave", "b") == 0);
  test_cond("explained as no reader", last_error() &&
            strstr(last_error(), "no reader on ") &&
            strstr(last_error(), "(ENXIO)"));
  reader= open_reader("leave");
  test_cond("reader back: true", trigger_row("leave", "c") == 1);
  test_cond("the new reader has the line", strcmp(received(reader), "c\n") == 0);
  close(reader);
  remove_entry("leave");
}


static void test_pipe_replaced(void)
{
  int old_reader, new_reader;

  /* The usual case: the old pipe's reader is gone (a worker restarted
     and made a new pipe): noticed at once through EPIPE. */
  make_fifo("swap");
  old_reader= open_reader("swap");
  test_cond("old pipe: true", trigger_row("swap", "old") == 1);
  close(old_reader);
  remove_entry("swap");
  make_fifo("swap");
  new_reader= open_reader("swap");
  test_cond("replaced, old reader gone: true at once",
            trigger_row("swap", "new") == 1);
  test_cond("line in the new pipe", strcmp(received(new_reader), "new\n") == 0);
  close(new_reader);
  remove_entry("swap");

  /* The old pipe keeps a reader: within FIFO_PIPE_RECHECK_MS the entry is
     looked at again and the new pipe gets the lines. */
  make_fifo("swap2");
  old_reader= open_reader("swap2");
  test_cond("old pipe 2: true", trigger_row("swap2", "old") == 1);
  remove_entry("swap2");
  make_fifo("swap2");
  new_reader= open_reader("swap2");
  fixture_sleep_ms(FIFO_PIPE_RECHECK_MS + 50);
  test_cond("replaced, old reader still there: true",
            trigger_row("swap2", "new") == 1);
  test_cond("new pipe got it", strcmp(received(new_reader), "new\n") == 0);
  test_cond("old pipe only its own line",
            strcmp(received(old_reader), "old\n") == 0);
  close(old_reader);
  close(new_reader);
  remove_entry("swap2");
}


static void test_regular_file_swapped_in(void)
{
  char path[300];
  struct stat st;
  int reader, file;

  make_fifo("file");
  reader= open_reader("file");
  test_cond("pipe: true", trigger_row("file", "a") == 1);
  remove_entry("file");
  fixture_path(path, sizeof(path), dir, "file");
  file= open(path, O_CREAT | O_WRONLY | O_EXCL, 0644);
  close(file);
  fixture_sleep_ms(FIFO_PIPE_RECHECK_MS + 50);
  test_cond("regular file under the name: false",
            trigger_row("file", "b") == 0);
  test_cond("explained", last_error() &&
            strstr(last_error(), "is not a FIFO"));
  test_cond("file untouched", stat(path, &st) == 0 && st.st_size == 0);
  test_cond("old pipe got nothing more", strcmp(received(reader), "a\n") == 0);
  test_cond("still false", trigger_row("file", "c") == 0 &&
            stat(path, &st) == 0 && st.st_size == 0);
  close(reader);
  remove_entry("file");
}


static void test_directory_replaced(void)
{
  char moved[300], moved_pipe[310];
  int old_reader, reader;

  /* Removed and made again: the lookup in the old one fails (ENOENT),
     the directory is resolved again at once. */
  make_fifo("d");
  old_reader= open_reader("d");
  test_cond("before: true", trigger_row("d", "1") == 1);
  close(old_reader);
  remove_entry("d");
  test_cond("directory removed", rmdir(dir) == 0);
  test_cond("and made again", mkdir(dir, 0755) == 0);
  make_fifo("d");
  reader= open_reader("d");
  test_cond("recreated directory: true at once", trigger_row("d", "2") == 1);
  test_cond("line in the new directory's pipe",
            strcmp(received(reader), "2\n") == 0);

  /* Renamed away (its pipe and reader intact): the thread resolves the
     path again within FIFO_DIR_RECHECK_MS. */
  snprintf(moved, sizeof(moved), "%s-old", dir);
  snprintf(moved_pipe, sizeof(moved_pipe), "%s/d", moved);
  test_cond("directory renamed away", rename(dir, moved) == 0);
  test_cond("new directory", mkdir(dir, 0755) == 0);
  make_fifo("d");
  old_reader= reader;
  reader= open_reader("d");
  fixture_sleep_ms(FIFO_DIR_RECHECK_MS + 100);
  test_cond("after the re-check: true", trigger_row("d", "3") == 1);
  test_cond("line in the new directory",
            strcmp(received(reader), "3\n") == 0);
  test_cond("none in the moved one", strcmp(received(old_reader), "") == 0);
  close(old_reader);
  close(reader);
  remove_entry("d");
  unlink(moved_pipe);
  rmdir(moved);
}


/* Writes to more names than the cache holds, then ends. */
static void *many_pipes(void *arg)
{
  static const char *names[]= { "t0", "t1", "t2", "t3", "t4", "t5" };
  int *most= arg;
  int base= open_fds(), i, round;

  for (round= 0; round < 2; round++)
    for (i= 0; i < 6; i++)
    {
      trigger_row(names[i], "x");
      if (open_fds() - base > *most)
        *most= open_fds() - base;
    }
  return NULL;
}


static void test_thread_end_closes(void)
{
  static const char *names[]= { "t0", "t1", "t2", "t3", "t4", "t5" };
  int readers[6];
  int before, i, most= 0;
  pthread_t thread;

  for (i= 0; i < 6; i++)
  {
    make_fifo(names[i]);
    readers[i]= open_reader(names[i]);
  }
  before= open_fds();
  pthread_create(&thread, NULL, many_pipes, &most);
  pthread_join(thread, NULL);
  test_cond("at most the directory + FIFO_THREAD_PIPES open in a thread",
            most > 0 && most <= 1 + FIFO_THREAD_PIPES);
  test_cond("all closed when the thread ended", open_fds() == before);
  for (i= 0; i < 6; i++)
  {
    close(readers[i]);
    remove_entry(names[i]);
  }
}


void test_thread(void)
{
  snprintf(dir, sizeof(dir), "%s/thread", test_dir());
  mkdir(dir, 0755);
  setenv("DBFIFO_PIPE_DIR", dir, 1);
  fifo_config_reload();
  test_rows_share_one_descriptor();
  test_reader_leaves_and_returns();
  test_pipe_replaced();
  test_regular_file_swapped_in();
  test_directory_replaced();
  test_thread_end_closes();
}
