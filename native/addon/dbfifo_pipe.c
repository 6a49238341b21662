/*
  dbfifo_pipe.c - a pipe's buffer for Node (N-API): F_SETPIPE_SZ,
  F_GETPIPE_SZ and FIONREAD, which Node's fs does not offer. fifo-core's
  reader grows its pipe with it and reads how much is waiting in it
  (packages/fifo-core/src/pipe-fcntl.ts loads it).

    setPipeSize(fd, bytes)  grows the pipe of fd to at least bytes, never
                            shrinks it; answers its capacity afterwards.
                            When the kernel refuses (EPERM past
                            pipe-max-size or the user's
                            pipe-user-pages-soft, EBUSY, ENOMEM) it answers
                            the capacity the pipe kept, without throwing.
    pipeSize(fd)            the pipe's capacity in bytes (F_GETPIPE_SZ)
    queuedBytes(fd)         bytes written into it and not read (FIONREAD)

  A bad argument throws a TypeError (code ERR_INVALID_ARG_TYPE); an fd that
  is not open, or not a pipe, throws an Error whose code is the errno name
  (EBADF). Each call is one or two system calls on the calling thread:
  none of them blocks.
*/
/* F_SETPIPE_SZ and F_GETPIPE_SZ are Linux's (since 2.6.35). */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#define ADDON_MESSAGE_MAX 192
#define ADDON_ARGS_MAX 2

typedef struct errno_name
{
  int code;
  const char *name;
} errno_name;

static const errno_name errno_names[]=
{
  { EBADF, "EBADF" },
  { EINVAL, "EINVAL" },
  { ENOTTY, "ENOTTY" },
  { EPERM, "EPERM" },
  { EBUSY, "EBUSY" },
  { ENOMEM, "ENOMEM" },
  { EFAULT, "EFAULT" },
};


static const char *name_of(int code)
{
  size_t i;

  for (i= 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
    if (errno_names[i].code == code)
      return errno_names[i].name;
  return "ESYSCALL";
}


/* Throws an Error for a failed system call, e.g. "pipeSize: fd 7 is not
   an open pipe (EBADF: Bad file descriptor)". */
static napi_value throw_errno(napi_env env, const char *fn, int fd, int code)
{
  char message[ADDON_MESSAGE_MAX];

  snprintf(message, sizeof(message), "%s: fd %d is not an open pipe (%s: %s)",
           fn, fd, name_of(code), strerror(code));
  napi_throw_error(env, name_of(code), message);
  return NULL;
}


/* The count arguments of a call, each an integer in [0, INT_MAX]; throws a
   TypeError naming the signature otherwise. */
static int int_args(napi_env env, napi_callback_info info, size_t count,
                    int *out, const char *usage)
{
  napi_value argv[ADDON_ARGS_MAX];
  size_t argc= ADDON_ARGS_MAX, i;
  char message[ADDON_MESSAGE_MAX];

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok)
    goto bad;
  if (argc != count)
    goto bad;
  for (i= 0; i < count; i++)
  {
    napi_valuetype type;
    double number;

    if (napi_typeof(env, argv[i], &type) != napi_ok || type != napi_number ||
        napi_get_value_double(env, argv[i], &number) != napi_ok)
      goto bad;
    /* NaN fails every comparison: refused here too. */
    if (!(number >= 0 && number <= INT_MAX) || number != (double) (int) number)
      goto bad;
    out[i]= (int) number;
  }
  return 0;

bad:
  snprintf(message, sizeof(message),
           "usage: %s with integers from 0 to %d", usage, INT_MAX);
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
  return -1;
}


static napi_value answer(napi_env env, int value)
{
  napi_value result;

  if (napi_create_int32(env, value, &result) != napi_ok)
    return NULL;
  return result;
}


static napi_value set_pipe_size(napi_env env, napi_callback_info info)
{
  int args[2], current, grown;

  if (int_args(env, info, 2, args, "setPipeSize(fd, bytes)"))
    return NULL;
  if ((current= fcntl(args[0], F_GETPIPE_SZ)) < 0)
    return throw_errno(env, "setPipeSize", args[0], errno);
  if (args[1] <= current)
    return answer(env, current);
  if ((grown= fcntl(args[0], F_SETPIPE_SZ, args[1])) < 0)
  {
    if (errno == EPERM || errno == EBUSY || errno == ENOMEM)
      return answer(env, current);
    return throw_errno(env, "setPipeSize", args[0], errno);
  }
  return answer(env, grown);
}


static napi_value pipe_size(napi_env env, napi_callback_info info)
{
  int fd, size;

  if (int_args(env, info, 1, &fd, "pipeSize(fd)"))
    return NULL;
  if ((size= fcntl(fd, F_GETPIPE_SZ)) < 0)
    return throw_errno(env, "pipeSize", fd, errno);
  return answer(env, size);
}


static napi_value queued_bytes(napi_env env, napi_callback_info info)
{
  int fd, queued;

  if (int_args(env, info, 1, &fd, "queuedBytes(fd)"))
    return NULL;
  if (ioctl(fd, FIONREAD, &queued) < 0)
    return throw_errno(env, "queuedBytes", fd, errno);
  return answer(env, queued);
}


NAPI_MODULE_INIT()
{
  napi_property_descriptor functions[]=
  {
    { "setPipeSize", NULL, set_pipe_size, NULL, NULL, NULL, napi_enumerable,
      NULL },
    { "pipeSize", NULL, pipe_size, NULL, NULL, NULL, napi_enumerable, NULL },
    { "queuedBytes", NULL, queued_bytes, NULL, NULL, NULL, napi_enumerable,
      NULL },
  };

  if (napi_define_properties(env, exports,
                             sizeof(functions) / sizeof(functions[0]),
                             functions) != napi_ok)
    return NULL;
  return exports;
}
