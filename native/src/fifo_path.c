/*
  fifo_path.c - pure checks of path arguments against the allowed directory.

  Nothing here touches the file system: string rules only, so they can be
  unit-tested and fuzzed. The file system side (O_NOFOLLOW, S_ISFIFO) is in
  fifo_io.c.
*/
#include "fifo_path.h"

#include <string.h>

#define FIFO_DEL_BYTE 0x7f
#define FIFO_FIRST_PRINTABLE 0x20


fifo_path_status fifo_name_check(const char *name, size_t length)
{
  size_t i;

  if (length == 0)
    return FIFO_PATH_EMPTY;
  if (length > FIFO_NAME_MAX)
    return FIFO_PATH_TOO_LONG;
  if (name[0] == '.' || name[0] == '-')
    return FIFO_PATH_BAD_NAME;
  for (i= 0; i < length; i++)
  {
    unsigned char c= (unsigned char) name[i];
    if (c == '\0')
      return FIFO_PATH_NUL;
    if (c == '/')
      return FIFO_PATH_RELATIVE;
    if (c < FIFO_FIRST_PRINTABLE || c == FIFO_DEL_BYTE)
      return FIFO_PATH_BAD_NAME;
  }
  return FIFO_PATH_OK;
}


static int same_bytes(const char *a, size_t a_length,
                      const char *b, size_t b_length)
{
  return a_length == b_length && a_length > 0 &&
         memcmp(a, b, a_length) == 0;
}


fifo_path_status fifo_path_resolve(const fifo_allowed_dir *dir,
                                   const char *arg, size_t length,
                                   char *name)
{
  const char *base= arg;
  size_t base_length= length;
  fifo_path_status status;

  if (length == 0)
    return FIFO_PATH_EMPTY;
  if (memchr(arg, '\0', length))
    return FIFO_PATH_NUL;
  if (length > FIFO_PATH_MAX)
    return FIFO_PATH_TOO_LONG;

  if (arg[0] == '/')
  {
    const char *slash= arg + length - 1;
    size_t parent_length;

    while (*slash != '/')
      slash--;
    parent_length= (size_t) (slash - arg);
    if (!same_bytes(arg, parent_length, dir->configured,
                    dir->configured_length) &&
        !same_bytes(arg, parent_length, dir->real, dir->real_length))
      return FIFO_PATH_OUTSIDE;
    base= slash + 1;
    base_length= length - parent_length - 1;
  }
  else if (memchr(arg, '/', length))
    return FIFO_PATH_RELATIVE;

  if ((status= fifo_name_check(base, base_length)) != FIFO_PATH_OK)
    return status;
  memcpy(name, base, base_length);
  name[base_length]= '\0';
  return FIFO_PATH_OK;
}


const char *fifo_path_reason(fifo_path_status status)
{
  switch (status)
  {
  case FIFO_PATH_OK:
    return "is accepted";
  case FIFO_PATH_EMPTY:
    return "names no entry";
  case FIFO_PATH_NUL:
    return "contains a NUL byte";
  case FIFO_PATH_TOO_LONG:
    return "is too long";
  case FIFO_PATH_OUTSIDE:
    return "is outside the allowed directory";
  case FIFO_PATH_RELATIVE:
    return "must be a bare name or an absolute path in the allowed directory";
  case FIFO_PATH_BAD_NAME:
    return "is not a valid pipe name (leading '.' or '-', control byte)";
  }
  return "is invalid";
}
