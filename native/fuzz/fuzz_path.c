/*
  fuzz_path.c - libFuzzer harness for fifo_path_resolve().

  Whatever the bytes, an accepted argument must yield a name that can only
  mean an entry of the allowed directory: no '/', no NUL, no leading '.' or
  '-', within NAME_MAX, and an absolute argument must start with one of the
  two accepted directory spellings followed by '/'.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fifo_path.h"

static const fifo_allowed_dir dir= { "/run/dbfifo", 11, "/tmp", 4 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char name[FIFO_NAME_MAX + 1];
  const char *arg;
  size_t length;
  /* A copy of exactly size bytes, so ASan sees any read past the length. */
  char *copy= malloc(size ? size : 1);

  if (!copy)
    return 0;
  if (size)
    memcpy(copy, data, size);
  if (fifo_path_resolve(&dir, copy, size, name) == FIFO_PATH_OK)
  {
    length= strlen(name);
    if (length == 0 || length > FIFO_NAME_MAX || strchr(name, '/') ||
        name[0] == '.' || name[0] == '-')
      abort();
    arg= copy;
    if (arg[0] == '/')
    {
      int in_configured= size == dir.configured_length + 1 + length &&
                         memcmp(arg, "/run/dbfifo/", 12) == 0;
      int in_real= size == dir.real_length + 1 + length &&
                   memcmp(arg, "/tmp/", 5) == 0;
      if (!in_configured && !in_real)
        abort();
      if (memcmp(arg + size - length, name, length) != 0)
        abort();
    }
    else if (size != length || memcmp(arg, name, length) != 0)
      abort();
  }
  free(copy);
  return 0;
}
