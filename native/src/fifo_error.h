/*
  fifo_error.h - the last failure of the calling thread, for fifo_error().

  Every fifo_create/remove/write/read call clears it on entry and sets it
  when it answers 'false' or NULL. One server thread serves one connection
  at a time, so this is "why did my last fifo_* call fail".
*/
#ifndef FIFO_ERROR_H
#define FIFO_ERROR_H

#include <stddef.h>

void fifo_error_clear(void);

/* printf-style; the text is truncated to FIFO_ERROR_MAX - 1 bytes. */
void fifo_error_set(const char *format, ...)
  __attribute__((format(printf, 1, 2)));

/* The last failure, NUL-terminated, or NULL when the last call succeeded.
   Stays valid until the next fifo_error_* call of this thread. */
const char *fifo_error_get(size_t *length);

/* "ENXIO", "not a FIFO", ... for an errno value or a FIFO_E_* code. */
const char *fifo_code_name(int code);

/* Writes a printable, quoted, possibly truncated copy of untrusted bytes
   (an SQL argument) into out; always NUL-terminates. */
void fifo_quote(char *out, size_t out_size, const char *bytes, size_t length);

#endif
