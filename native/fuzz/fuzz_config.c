/*
  fuzz_config.c - libFuzzer harness for the settings parsers, which read the
  server's environment (DBFIFO_WRITE_TIMEOUT_MS, DBFIFO_PIPE_SIZE,
  DBFIFO_PIPE_DIR).

  fifo_parse_setting: the answer is the fallback or lies in [0, max],
  whatever the text. fifo_config_copy_dir: an accepted directory is
  absolute, has no trailing '/', is not "/", fits FIFO_PATH_MAX and is a
  prefix of the input.
*/
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fifo_config.h"
#include "fifo_limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static char dir[FIFO_PATH_MAX + 1];
  char *text= malloc(size + 1);
  int max, fallback, ms;
  size_t length;

  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size]= '\0'; /* the environment gives C strings: cut at the first NUL */

  /* A max and fallback from the input's first bytes, so both vary too. */
  max= size > 0 ? (int) data[0] * 1000 : 0;
  fallback= size > 1 ? (int) data[1] : 7;
  ms= fifo_parse_setting(text, fallback, max);
  if (ms != fallback && (ms < 0 || ms > max))
    abort();

  if (text[0] != '\0' && fifo_config_copy_dir(dir, text) == 0)
  {
    length= strlen(dir);
    if (dir[0] != '/' || length < 2 || length > FIFO_PATH_MAX ||
        dir[length - 1] == '/' || strncmp(dir, text, length) != 0)
      abort();
  }
  free(text);
  return 0;
}
