/*
  fifo_pipe_buffer.h - a pipe's buffer: growing it when fifo_write opens
  a pipe, and how full it is (for the fail-fast rule's hysteresis).

  The kernel keeps a FIFO's buffer (and its size) only while some end of
  it is open, so the size is set by whoever opens it: fifo_write here, on
  every open of its per-thread cache (not per row), and the worker on its
  read end, which it holds for its whole life. Both only ever grow it.
*/
#ifndef FIFO_PIPE_BUFFER_H
#define FIFO_PIPE_BUFFER_H

/* What the opens of this process did to pipe sizes, for fifo_info(). */
typedef struct fifo_pipe_buffer_stats
{
  unsigned long long grown;  /* F_SETPIPE_SZ calls that grew a pipe */
  unsigned long long failed; /* F_SETPIPE_SZ calls refused (ignored) */
  int last_error;            /* errno of the last refusal, 0 if none */
} fifo_pipe_buffer_stats;

/* Grows the pipe of fd to target bytes when it is smaller (never shrinks;
   target 0 leaves it). A refusal (EPERM past pipe-user-pages-soft, EBUSY)
   is counted and otherwise ignored. Answers the pipe's capacity in bytes
   afterwards (FIFO_PIPE_SIZE_KERNEL_DEFAULT when the kernel cannot tell). */
int fifo_pipe_grow(int fd, int target);

/* Bytes written into the pipe of fd and not read yet (FIONREAD; works on
   either end), or -1 when the kernel cannot tell. */
int fifo_pipe_queued(int fd);

/* A snapshot of the counters (each read atomically). */
void fifo_pipe_buffer_stats_get(fifo_pipe_buffer_stats *stats);

#endif
