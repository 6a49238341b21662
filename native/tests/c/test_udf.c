/*
  test_udf.c - the SQL entry points called as the server calls them:
  argument checks, NULLs, lengths without NUL, answers and fifo_error().
*/
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fifo_config.h"
#include "fifo_udf.h"
#include "testhelp.h"

#define MAX_ARGS 3
#define RESULT_SIZE 255

typedef struct call
{
  UDF_INIT init;
  UDF_ARGS args;
  enum Item_result types[MAX_ARGS];
  char *values[MAX_ARGS];
  unsigned long lengths[MAX_ARGS];
  char maybe_null[MAX_ARGS];
  long long timeout;
  char message[512];
  char result[RESULT_SIZE];
  unsigned long length;
  fifo_flag is_null;
  fifo_flag error;
} call;

typedef fifo_bool (*init_fn)(UDF_INIT *, UDF_ARGS *, char *);
typedef char *(*row_fn)(UDF_INIT *, UDF_ARGS *, char *, unsigned long *,
                        fifo_flag *, fifo_flag *);
typedef void (*deinit_fn)(UDF_INIT *);

static char pipe_dir[256];


static void setup(call *c, unsigned int count)
{
  memset(c, 0, sizeof(*c));
  c->args.arg_count= count;
  c->args.arg_type= c->types;
  c->args.args= c->values;
  c->args.lengths= c->lengths;
  c->args.maybe_null= c->maybe_null;
}


static void set_string(call *c, unsigned int i, const char *value)
{
  c->values[i]= (char *) value;
  c->lengths[i]= value ? strlen(value) : 0;
}


static void set_timeout(call *c, unsigned int i, long long ms)
{
  c->timeout= ms;
  c->values[i]= (char *) &c->timeout;
  c->lengths[i]= sizeof(c->timeout);
}


/* Returns the answer as a C string in c->result, or NULL. */
static const char *row(call *c, row_fn fn)
{
  char *r;

  c->is_null= 0;
  r= fn(&c->init, &c->args, c->result, &c->length, &c->is_null, &c->error);
  if (!r || c->is_null)
    return NULL;
  if (r != c->result)
    memmove(c->result, r, c->length < RESULT_SIZE - 1 ? c->length :
            RESULT_SIZE - 1);
  c->result[c->length < RESULT_SIZE - 1 ? c->length : RESULT_SIZE - 1]=
    '\0';
  return c->result;
}


/* Runs init, one row, deinit with the values already set (all constant);
   the answer is copied out, as the caller's call may be on its stack. */
static const char *once(call *c, init_fn init, row_fn fn, deinit_fn deinit)
{
  static char answer_text[RESULT_SIZE];
  const char *answer= NULL;

  if (init(&c->init, &c->args, c->message))
    return "init failed";
  if ((answer= row(c, fn)))
    answer= strcpy(answer_text, answer);
  deinit(&c->init);
  return answer;
}


static const char *last_error(void)
{
  static char text[512];
  call c;
  const char *r;

  setup(&c, 0);
  r= once(&c, fifo_error_init, fifo_error, fifo_error_deinit);
  if (!r)
    return NULL;
  snprintf(text, sizeof(text), "%s", r);
  return text;
}


static int has(const char *text, const char *part)
{
  return text && strstr(text, part);
}


static const char *write2(const char *path, const char *message)
{
  call c;
  setup(&c, 2);
  set_string(&c, 0, path);
  set_string(&c, 1, message);
  return once(&c, fifo_write_init, fifo_write, fifo_write_deinit);
}


static const char *path_call(init_fn init, row_fn fn, deinit_fn deinit,
                             const char *path)
{
  call c;
  setup(&c, 1);
  set_string(&c, 0, path);
  return once(&c, init, fn, deinit);
}


static void test_arguments(void)
{
  call c;

  setup(&c, 1);
  test_cond("fifo_write with 1 argument fails init",
            fifo_write_init(&c.init, &c.args, c.message) == 1);
  test_cond("message names the signature",
            has(c.message, "fifo_write(path STRING, message STRING "
                           "[, timeout_ms INT])") && strlen(c.message) < 80);
  setup(&c, 3);
  c.values[0]= c.values[1]= c.values[2]= NULL;
  test_cond("fifo_read with 3 arguments fails init",
            fifo_read_init(&c.init, &c.args, c.message) == 1 &&
            has(c.message, "fifo_read(path STRING [, timeout_ms INT])"));
  setup(&c, 0);
  test_cond("fifo_create with no argument fails init",
            fifo_create_init(&c.init, &c.args, c.message) == 1 &&
            has(c.message, "fifo_create(path STRING)"));
  setup(&c, 2);
  test_cond("fifo_remove with 2 arguments fails init",
            fifo_remove_init(&c.init, &c.args, c.message) == 1);
  setup(&c, 1);
  test_cond("fifo_error takes none",
            fifo_error_init(&c.init, &c.args, c.message) == 1 &&
            has(c.message, "fifo_error()"));
  setup(&c, 1);
  test_cond("fifo_info takes none",
            fifo_info_init(&c.init, &c.args, c.message) == 1);

  setup(&c, 3);
  c.types[0]= c.types[1]= c.types[2]= REAL_RESULT;
  test_cond("fifo_write init coerces types",
            fifo_write_init(&c.init, &c.args, c.message) == 0 &&
            c.types[0] == STRING_RESULT && c.types[1] == STRING_RESULT &&
            c.types[2] == INT_RESULT && c.init.maybe_null == 0 &&
            c.init.const_item == 0 && c.init.max_length == 5);
  fifo_write_deinit(&c.init);
  setup(&c, 2);
  test_cond("fifo_read may be NULL",
            fifo_read_init(&c.init, &c.args, c.message) == 0 &&
            c.types[1] == INT_RESULT && c.init.maybe_null == 1);
  fifo_read_deinit(&c.init);
}


static void test_nulls_and_escapes(void)
{
  call c;
  struct stat st;
  char target[300];
  int fd;

  test_cond("create p", has(path_call(fifo_create_init, fifo_create,
                                      fifo_create_deinit, "p"), "true"));
  test_cond("no error after success", last_error() == NULL);
  test_cond("NULL path: false", has(write2(NULL, "x"), "false"));
  test_cond("NULL path explained", has(last_error(), "path is NULL"));
  test_cond("NULL message: false", has(write2("p", NULL), "false"));
  test_cond("NULL message explained", has(last_error(), "message is NULL"));
  setup(&c, 3);
  set_string(&c, 0, "p");
  set_string(&c, 1, "x");
  test_cond("NULL timeout: false",
            has(once(&c, fifo_write_init, fifo_write, fifo_write_deinit),
                "false") && has(last_error(), "timeout_ms is NULL"));
  test_cond("create NULL: false",
            has(path_call(fifo_create_init, fifo_create, fifo_create_deinit,
                          NULL), "false"));
  test_cond("read NULL: NULL",
            path_call(fifo_read_init, fifo_read, fifo_read_deinit, NULL) ==
            NULL && has(last_error(), "path is NULL"));

  test_cond("no reader: false", has(write2("p", "x"), "false"));
  test_cond("no reader explained",
            has(last_error(), "fifo_write: no reader on ") &&
            has(last_error(), "/p (ENXIO)"));

  test_cond("remove ibdata1: false",
            has(path_call(fifo_remove_init, fifo_remove, fifo_remove_deinit,
                          "/var/lib/mysql/ibdata1"), "false"));
  test_cond("escape explained",
            has(last_error(), "outside the allowed directory"));
  test_cond("dotdot: false", has(write2("../p", "x"), "false") &&
            has(last_error(), "'../p'"));

  snprintf(target, sizeof(target), "%s/regular", pipe_dir);
  fd= open(target, O_CREAT | O_WRONLY, 0644);
  close(fd);
  test_cond("remove regular file: false",
            has(path_call(fifo_remove_init, fifo_remove, fifo_remove_deinit,
                          target), "false") && stat(target, &st) == 0);
  test_cond("regular file explained", has(last_error(), "is not a FIFO"));
  test_cond("write regular file: false",
            has(write2("regular", "x"), "false") &&
            stat(target, &st) == 0 && st.st_size == 0);

  /* Not NUL-terminated: only lengths[0] bytes are the path. */
  setup(&c, 2);
  c.values[0]= (char *) "pXXXX";
  c.lengths[0]= 1;
  set_string(&c, 1, "x");
  test_cond("length honoured (p, no reader)",
            has(once(&c, fifo_write_init, fifo_write, fifo_write_deinit),
                "false") && has(last_error(), "/p (ENXIO)"));
  test_cond("too long message: false",
            has(write2("p", "ab\ncd"), "false") &&
            has(last_error(), "newline before its end"));
}


static void test_write_and_read(void)
{
  call w, r;
  char path[300];
  const char *answer;
  int holder, i, ok= 1;

  snprintf(path, sizeof(path), "%s/p", pipe_dir);
  /* An O_RDWR holder keeps the pipe (and its lines) alive between calls. */
  holder= open(path, O_RDWR | O_NONBLOCK);
  test_cond("holder", holder >= 0);

  /* Constant absolute path: resolved once, the pipe kept open. */
  setup(&w, 2);
  set_string(&w, 0, path);
  test_cond("write init", fifo_write_init(&w.init, &w.args, w.message) == 0);
  for (i= 0; i < 3; i++)
  {
    static const char *rows[]= { "13113668891\r\n", "13113668892\r\n",
                                 "13113668893" };
    set_string(&w, 1, rows[i]);
    if (!has(row(&w, fifo_write), "true"))
      ok= 0;
  }
  fifo_write_deinit(&w.init);
  test_cond("three rows written", ok);

  setup(&r, 2);
  set_string(&r, 0, "p");
  set_timeout(&r, 1, 200);
  test_cond("read init", fifo_read_init(&r.init, &r.args, r.message) == 0);
  answer= row(&r, fifo_read);
  test_cond("first line, \\r\\n dropped", answer &&
            strcmp(answer, "13113668891") == 0);
  answer= row(&r, fifo_read);
  test_cond("second line", answer && strcmp(answer, "13113668892") == 0);
  answer= row(&r, fifo_read);
  test_cond("third line", answer && strcmp(answer, "13113668893") == 0);
  set_timeout(&r, 1, 20);
  test_cond("then NULL at the timeout", row(&r, fifo_read) == NULL &&
            r.is_null == 1);
  test_cond("timeout explained", has(last_error(), "within 20 ms"));
  fifo_read_deinit(&r.init);

  close(holder);

  {
    call info;
    const char *text;
    setup(&info, 0);
    text= once(&info, fifo_info_init, fifo_info, fifo_info_deinit);
    test_cond("fifo_info is JSON with version and dir",
              has(text, "{\"version\":\"") && has(text, "\"pipe_dir\":\""));
  }

  test_cond("remove p", has(path_call(fifo_remove_init, fifo_remove,
                                      fifo_remove_deinit, "p"), "true"));
  test_cond("remove p again: false",
            has(path_call(fifo_remove_init, fifo_remove, fifo_remove_deinit,
                          "p"), "false") && has(last_error(), "ENOENT"));
}


static void test_unusable_dir(void)
{
  char missing[300];

  snprintf(missing, sizeof(missing), "%s/missing", test_dir());
  setenv("DBFIFO_PIPE_DIR", missing, 1);
  fifo_config_reload();
  test_cond("missing dir: false",
            has(path_call(fifo_create_init, fifo_create, fifo_create_deinit,
                          "p"), "false") && has(last_error(), "unusable"));
  setenv("DBFIFO_PIPE_DIR", "/", 1);
  fifo_config_reload();
  test_cond("dir / refused",
            has(path_call(fifo_create_init, fifo_create, fifo_create_deinit,
                          "p"), "false") && has(last_error(), "unusable"));
  setenv("DBFIFO_PIPE_DIR", pipe_dir, 1);
  fifo_config_reload();
}


void test_udf(void)
{
  snprintf(pipe_dir, sizeof(pipe_dir), "%s/udf", test_dir());
  mkdir(pipe_dir, 0755);
  setenv("DBFIFO_PIPE_DIR", pipe_dir, 1);
  fifo_config_reload();
  test_arguments();
  test_nulls_and_escapes();
  test_write_and_read();
  test_unusable_dir();
}
