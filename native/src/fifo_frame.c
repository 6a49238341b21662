/*
  fifo_frame.c - building and trimming lines of the wire format.
*/
#include "fifo_frame.h"

#include <string.h>

#include "fifo_limits.h"


fifo_frame_status fifo_frame_line(const char *message, size_t length,
                                  char *out, size_t *line_length)
{
  int has_newline= length > 0 && message[length - 1] == '\n';
  size_t body_length= has_newline ? length - 1 : length;

  if (body_length + 1 > FIFO_LINE_MAX)
    return FIFO_FRAME_TOO_LONG;
  if (memchr(message, '\n', body_length))
    return FIFO_FRAME_NEWLINE;
  memcpy(out, message, body_length);
  out[body_length]= '\n';
  *line_length= body_length + 1;
  return FIFO_FRAME_OK;
}


size_t fifo_frame_body_length(const char *line, size_t length)
{
  if (length > 0 && line[length - 1] == '\n')
    length--;
  if (length > 0 && line[length - 1] == '\r')
    length--;
  return length;
}
