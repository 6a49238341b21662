/*
  fifo_frame.h - the line rules of the wire format (pure: no system calls).

  One message is one line ending in '\n', at most FIFO_LINE_MAX bytes with
  it. A message that already ends in '\n' (the article writes
  concat(mobile, '\r\n')) is sent as is; any other gets one '\n' appended.
  A '\n' anywhere else would turn one message into two lines, so such a
  message is refused.
*/
#ifndef FIFO_FRAME_H
#define FIFO_FRAME_H

#include <stddef.h>

typedef enum fifo_frame_status
{
  FIFO_FRAME_OK= 0,
  FIFO_FRAME_TOO_LONG,   /* message + '\n' over FIFO_LINE_MAX */
  FIFO_FRAME_NEWLINE     /* a '\n' before the last byte */
} fifo_frame_status;

/* Frames `length` untrusted bytes into out (FIFO_LINE_MAX bytes, not
   NUL-terminated) and stores the line length, newline included. */
fifo_frame_status fifo_frame_line(const char *message, size_t length,
                                  char *out, size_t *line_length);

/* Length of a received line's body: drops the trailing '\n' and one '\r'
   before it, the same rule every reader of the wire format applies. */
size_t fifo_frame_body_length(const char *line, size_t length);

#endif
