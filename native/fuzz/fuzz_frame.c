/*
  fuzz_frame.c - libFuzzer harness for fifo_frame_line().

  An accepted message becomes exactly one line: at most FIFO_LINE_MAX bytes,
  one '\n' and only at the end, and the body is the message unchanged.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fifo_frame.h"
#include "fifo_limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char out[FIFO_LINE_MAX];
  size_t line_length= 0, body;
  char *copy= malloc(size ? size : 1);

  if (!copy)
    return 0;
  if (size)
    memcpy(copy, data, size);
  if (fifo_frame_line(copy, size, out, &line_length) == FIFO_FRAME_OK)
  {
    if (line_length == 0 || line_length > FIFO_LINE_MAX ||
        out[line_length - 1] != '\n' ||
        memchr(out, '\n', line_length - 1))
      abort();
    body= line_length - 1;
    if (memcmp(out, copy, body) != 0)
      abort();
    if (!(size == body || (size == body + 1 && copy[body] == '\n')))
      abort();
    if (fifo_frame_body_length(out, line_length) > body)
      abort();
  }
  free(copy);
  return 0;
}
