/*
  test_frame.c - the line rules of fifo_frame.c.
*/
#include <string.h>

#include "fifo_frame.h"
#include "fifo_limits.h"
#include "testhelp.h"


void test_frame(void)
{
  static char big[FIFO_LINE_MAX + 1];
  char out[FIFO_LINE_MAX];
  size_t n= 0;

  test_cond("newline appended",
            fifo_frame_line("13113668891", 11, out, &n) == FIFO_FRAME_OK &&
            n == 12 && memcmp(out, "13113668891\n", 12) == 0);
  test_cond("article's \\r\\n kept as is, no second newline",
            fifo_frame_line("1311\r\n", 6, out, &n) == FIFO_FRAME_OK &&
            n == 6 && memcmp(out, "1311\r\n", 6) == 0);
  test_cond("trailing newline kept",
            fifo_frame_line("x\n", 2, out, &n) == FIFO_FRAME_OK && n == 2);
  test_cond("empty message is an empty line",
            fifo_frame_line("", 0, out, &n) == FIFO_FRAME_OK && n == 1 &&
            out[0] == '\n');
  test_cond("inner newline refused",
            fifo_frame_line("a\nb", 3, out, &n) == FIFO_FRAME_NEWLINE);
  test_cond("inner newline before final one refused",
            fifo_frame_line("a\nb\n", 4, out, &n) == FIFO_FRAME_NEWLINE);
  test_cond("NUL inside kept",
            fifo_frame_line("a\0b", 3, out, &n) == FIFO_FRAME_OK && n == 4);

  memset(big, 'x', sizeof(big));
  test_cond("4095 bytes + newline = 4096 accepted",
            fifo_frame_line(big, FIFO_LINE_MAX - 1, out, &n) ==
            FIFO_FRAME_OK && n == FIFO_LINE_MAX);
  test_cond("4096 bytes without newline refused",
            fifo_frame_line(big, FIFO_LINE_MAX, out, &n) ==
            FIFO_FRAME_TOO_LONG);
  big[FIFO_LINE_MAX - 1]= '\n';
  test_cond("4096 bytes ending in newline accepted",
            fifo_frame_line(big, FIFO_LINE_MAX, out, &n) == FIFO_FRAME_OK &&
            n == FIFO_LINE_MAX);
  big[FIFO_LINE_MAX]= '\n';
  big[FIFO_LINE_MAX - 1]= 'x';
  test_cond("4097 bytes ending in newline refused",
            fifo_frame_line(big, FIFO_LINE_MAX + 1, out, &n) ==
            FIFO_FRAME_TOO_LONG);

  test_cond("body drops \\r\\n",
            fifo_frame_body_length("abc\r\n", 5) == 3);
  test_cond("body drops \\n", fifo_frame_body_length("abc\n", 4) == 3);
  test_cond("body drops a lone trailing \\r",
            fifo_frame_body_length("abc\r", 4) == 3);
  test_cond("body keeps inner \\r", fifo_frame_body_length("a\rb", 3) == 3);
  test_cond("empty body", fifo_frame_body_length("\n", 1) == 0);
}
