/*
  fifo_path.h - sandbox check of a path argument (pure: no system calls).

  A path argument is accepted in two spellings only:
    - a bare entry name ("sms"), meaning that entry of the allowed directory;
    - an absolute path whose parent is exactly the allowed directory, as
      configured or as its realpath ("/run/dbfifo/sms").
  The name itself must be non-empty, at most FIFO_NAME_MAX bytes, without
  '/', NUL or control bytes, and must not start with '.' or '-' (this
  rejects ".", ".." and hidden entries). The caller then opens the name
  relative to a descriptor of the allowed directory, with O_NOFOLLOW.
*/
#ifndef FIFO_PATH_H
#define FIFO_PATH_H

#include <stddef.h>

#include "fifo_limits.h"

typedef enum fifo_path_status
{
  FIFO_PATH_OK= 0,
  FIFO_PATH_EMPTY,       /* "" or a path ending in '/' */
  FIFO_PATH_NUL,         /* an embedded NUL byte */
  FIFO_PATH_TOO_LONG,    /* path over FIFO_PATH_MAX or name over NAME_MAX */
  FIFO_PATH_OUTSIDE,     /* absolute, but its parent is not the allowed dir */
  FIFO_PATH_RELATIVE,    /* relative path with a '/', e.g. "../x", "a/b" */
  FIFO_PATH_BAD_NAME     /* starts with '.' or '-', or has a control byte */
} fifo_path_status;

/* The allowed directory in both accepted spellings, without a trailing
   '/'. Neither may be "/" or empty (fifo_config refuses those). */
typedef struct fifo_allowed_dir
{
  const char *configured;
  size_t configured_length;
  const char *real;
  size_t real_length;
} fifo_allowed_dir;

/* Checks one untrusted argument of `length` bytes (not NUL-terminated).
   On FIFO_PATH_OK copies the entry name, NUL-terminated, to name
   (FIFO_NAME_MAX + 1 bytes); otherwise leaves name untouched. */
fifo_path_status fifo_path_resolve(const fifo_allowed_dir *dir,
                                   const char *arg, size_t length,
                                   char *name);

/* Checks an entry name alone (the part after the last '/'). */
fifo_path_status fifo_name_check(const char *name, size_t length);

/* A short reason for a status, e.g. "is outside the allowed directory". */
const char *fifo_path_reason(fifo_path_status status);

#endif
