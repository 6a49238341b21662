/*
  fixtures.h - what several C test files need: the clock, FIFOs in a
  directory of the test run, and the UDFs called as the server calls them
  (init, the row, deinit). Each returns what its caller checks; none
  asserts anything itself.
*/
#ifndef FIXTURES_H
#define FIXTURES_H

#include <stddef.h>

/* Monotonic milliseconds. */
double fixture_now_ms(void);

/* Sleeps ms milliseconds (EINTR resumed). */
void fixture_sleep_ms(long ms);

/* dir/name into out. */
void fixture_path(char *out, size_t size, const char *dir, const char *name);

/* mkfifo dir/name 0600: 0 or -1. */
int fixture_mkfifo(const char *dir, const char *name);

/* unlink dir/name, whatever it is. */
void fixture_unlink(const char *dir, const char *name);

/* open(dir/name, flags | O_NONBLOCK): a descriptor or -1. */
int fixture_open(const char *dir, const char *name, int flags);

/* One trigger row: fifo_write_init, fifo_write(name, message [, *timeout_ms]),
   fifo_write_deinit. 1 for 'true', 0 for 'false', -1 when init failed. */
int fixture_write_row(const char *name, const char *message,
                      const long long *timeout_ms);

/* fifo_error() of this thread copied into out ("" when there is none). */
const char *fixture_last_error(char *out, size_t size);

/* fifo_info() copied into out. */
const char *fixture_info(char *out, size_t size);

#endif
