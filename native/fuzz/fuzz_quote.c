/*
  fuzz_quote.c - libFuzzer harness for fifo_quote(), which copies untrusted
  SQL arguments into fifo_error() texts and the server's log.

  Whatever the bytes and the buffer size: the output is NUL-terminated
  inside the buffer and holds only printable ASCII, so no control byte,
  newline or terminal escape from an argument reaches a log line.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fifo_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t out_size, i;
  char *out;

  if (size == 0)
    return 0;
  out_size= data[0]; /* 0 .. 255, including the too-small sizes */
  out= malloc(out_size ? out_size : 1);
  if (!out)
    return 0;
  fifo_quote(out, out_size, (const char *) data + 1, size - 1);
  if (out_size > 0)
  {
    for (i= 0; i < out_size && out[i] != '\0'; i++)
      if ((unsigned char) out[i] < 0x20 || (unsigned char) out[i] > 0x7e)
        abort();
    if (i == out_size)
      abort(); /* no NUL inside the buffer */
  }
  free(out);
  return 0;
}
