/*
  test_path.c - the sandbox string rules of fifo_path.c.
*/
#include <string.h>

#include "fifo_path.h"
#include "testhelp.h"

static const fifo_allowed_dir dir= { "/run/dbfifo", 11, "/srv/pipes", 10 };


static fifo_path_status resolve(const char *arg, char *name)
{
  return fifo_path_resolve(&dir, arg, strlen(arg), name);
}


void test_path(void)
{
  char name[FIFO_NAME_MAX + 1];
  char long_name[FIFO_NAME_MAX + 2];
  char long_path[FIFO_PATH_MAX + 2];

  test_cond("bare name accepted", resolve("sms", name) == FIFO_PATH_OK &&
            strcmp(name, "sms") == 0);
  test_cond("configured parent accepted",
            resolve("/run/dbfifo/sms", name) == FIFO_PATH_OK &&
            strcmp(name, "sms") == 0);
  test_cond("realpath parent accepted",
            resolve("/srv/pipes/news", name) == FIFO_PATH_OK &&
            strcmp(name, "news") == 0);
  test_cond("utf-8 name accepted",
            resolve("pipe-\xc3\xa9", name) == FIFO_PATH_OK);
  test_cond("name with dash inside accepted",
            resolve("a-b_c.d", name) == FIFO_PATH_OK);

  test_cond("empty refused", resolve("", name) == FIFO_PATH_EMPTY);
  test_cond("dir itself refused", resolve("/run/dbfifo/", name) ==
            FIFO_PATH_EMPTY);
  test_cond("dot refused", resolve(".", name) == FIFO_PATH_BAD_NAME);
  test_cond("dotdot refused", resolve("..", name) == FIFO_PATH_BAD_NAME);
  test_cond("hidden refused", resolve(".x", name) == FIFO_PATH_BAD_NAME);
  test_cond("leading dash refused", resolve("-rf", name) ==
            FIFO_PATH_BAD_NAME);
  test_cond("dir/.. refused", resolve("/run/dbfifo/..", name) ==
            FIFO_PATH_BAD_NAME);
  test_cond("relative escape refused", resolve("../etc/passwd", name) ==
            FIFO_PATH_RELATIVE);
  test_cond("relative subdir refused", resolve("a/b", name) ==
            FIFO_PATH_RELATIVE);
  test_cond("/etc/passwd refused", resolve("/etc/passwd", name) ==
            FIFO_PATH_OUTSIDE);
  test_cond("ibdata1 refused", resolve("/var/lib/mysql/ibdata1", name) ==
            FIFO_PATH_OUTSIDE);
  test_cond("dir/../x refused", resolve("/run/dbfifo/../x", name) ==
            FIFO_PATH_OUTSIDE);
  test_cond("dir//x refused", resolve("/run/dbfifo//x", name) ==
            FIFO_PATH_OUTSIDE);
  test_cond("subdir refused", resolve("/run/dbfifo/a/b", name) ==
            FIFO_PATH_OUTSIDE);
  test_cond("prefix sibling refused", resolve("/run/dbfifo2/x", name) ==
            FIFO_PATH_OUTSIDE);
  test_cond("shorter prefix refused", resolve("/run/dbfif/x", name) ==
            FIFO_PATH_OUTSIDE);
  test_cond("root refused", resolve("/", name) == FIFO_PATH_OUTSIDE);
  test_cond("newline refused", resolve("a\nb", name) == FIFO_PATH_BAD_NAME);
  test_cond("DEL refused", resolve("a\x7f", name) == FIFO_PATH_BAD_NAME);
  test_cond("embedded NUL refused",
            fifo_path_resolve(&dir, "sms\0x", 5, name) == FIFO_PATH_NUL);
  test_cond("NUL after dir refused",
            fifo_path_resolve(&dir, "/run/dbfifo/\0", 13, name) ==
            FIFO_PATH_NUL);

  /* Honours the length: bytes after it are not part of the argument. */
  test_cond("length honoured",
            fifo_path_resolve(&dir, "smsXYZ", 3, name) == FIFO_PATH_OK &&
            strcmp(name, "sms") == 0);

  memset(long_name, 'a', sizeof(long_name));
  test_cond("NAME_MAX name accepted",
            fifo_path_resolve(&dir, long_name, FIFO_NAME_MAX, name) ==
            FIFO_PATH_OK && strlen(name) == FIFO_NAME_MAX);
  test_cond("NAME_MAX + 1 refused",
            fifo_path_resolve(&dir, long_name, FIFO_NAME_MAX + 1, name) ==
            FIFO_PATH_TOO_LONG);
  memset(long_path, '/', sizeof(long_path));
  test_cond("over-long path refused",
            fifo_path_resolve(&dir, long_path, FIFO_PATH_MAX + 1, name) ==
            FIFO_PATH_TOO_LONG);
  test_cond("every status has a reason",
            strlen(fifo_path_reason(FIFO_PATH_OUTSIDE)) > 0 &&
            strlen(fifo_path_reason(FIFO_PATH_BAD_NAME)) > 0);
}
