/*
  fifo_error.c - per-thread last failure text and error naming.

  The thread-local buffer is the only mutable state with static storage in
  fifo.so; each server thread owns its own copy, so no locking is needed.
*/
#include "fifo_error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fifo_limits.h"

/* Longest part of an untrusted argument quoted in an error text. */
#define FIFO_QUOTE_MAX 96

static _Thread_local char last_error[FIFO_ERROR_MAX];
static _Thread_local size_t last_error_length;
static _Thread_local int has_error;

typedef struct code_name
{
  int code;
  const char *name;
} code_name;

static const code_name code_names[]=
{
  { ENXIO, "ENXIO" },
  { ENOENT, "ENOENT" },
  { EEXIST, "EEXIST" },
  { EACCES, "EACCES" },
  { EPERM, "EPERM" },
  { EPIPE, "EPIPE" },
  { EAGAIN, "EAGAIN" },
  { ETIMEDOUT, "ETIMEDOUT" },
  { ELOOP, "ELOOP" },
  { ENOTDIR, "ENOTDIR" },
  { EISDIR, "EISDIR" },
  { ENAMETOOLONG, "ENAMETOOLONG" },
  { ENOSPC, "ENOSPC" },
  { EROFS, "EROFS" },
  { EMFILE, "EMFILE" },
  { ENFILE, "ENFILE" },
  { ENOMEM, "ENOMEM" },
  { EINVAL, "EINVAL" },
  { EIO, "EIO" },
  { EBADF, "EBADF" },
  { EBUSY, "EBUSY" },
  { FIFO_E_NOT_FIFO, "not a FIFO" },
  { FIFO_E_CHANGED, "changed while opening" },
  { FIFO_E_SHORT_WRITE, "short write" },
  { FIFO_E_LINE_LONG, "line too long" },
  { FIFO_E_PARTIAL, "partial line" },
  { FIFO_E_FAILING_FAST, "failing fast" },
};


void fifo_error_clear(void)
{
  has_error= 0;
}


void fifo_error_set(const char *format, ...)
{
  va_list ap;
  int n;

  va_start(ap, format);
  n= vsnprintf(last_error, sizeof(last_error), format, ap);
  va_end(ap);
  if (n < 0)
  {
    last_error[0]= '\0';
    n= 0;
  }
  if ((size_t) n >= sizeof(last_error))
    n= (int) sizeof(last_error) - 1;
  last_error_length= (size_t) n;
  has_error= 1;
}


const char *fifo_error_get(size_t *length)
{
  if (!has_error)
    return NULL;
  if (length)
    *length= last_error_length;
  return last_error;
}


const char *fifo_code_name(int code)
{
  size_t i;

  for (i= 0; i < sizeof(code_names) / sizeof(code_names[0]); i++)
    if (code_names[i].code == code)
      return code_names[i].name;
  return "unexpected error";
}


void fifo_quote(char *out, size_t out_size, const char *bytes, size_t length)
{
  static const char hex[]= "0123456789abcdef";
  size_t shown= length < FIFO_QUOTE_MAX ? length : FIFO_QUOTE_MAX;
  size_t o= 0;
  size_t i;

  if (out_size == 0)
    return;
  /* Reserve room for the closing quote, "..." and the NUL. */
  if (out_size < 8)
  {
    out[0]= '\0';
    return;
  }
  out[o++]= '\'';
  for (i= 0; i < shown && o + 4 < out_size - 4; i++)
  {
    unsigned char c= (unsigned char) bytes[i];
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
    {
      out[o++]= (char) c;
      continue;
    }
    out[o++]= '\\';
    out[o++]= 'x';
    out[o++]= hex[c >> 4];
    out[o++]= hex[c & 0xf];
  }
  out[o++]= '\'';
  if (i < length)
  {
    memcpy(out + o, "...", 3);
    o+= 3;
  }
  out[o]= '\0';
}
