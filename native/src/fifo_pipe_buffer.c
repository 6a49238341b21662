/*
  fifo_pipe_buffer.c - F_SETPIPE_SZ on open, FIONREAD while failing fast.

  The counters are process-wide atomics (relaxed: they are statistics, and
  each is read on its own): every server thread may open pipes, and
  fifo_info(), in whichever thread calls it, reports what they all did.
*/
/* F_SETPIPE_SZ and F_GETPIPE_SZ are Linux's (since 2.6.35). */
#define _GNU_SOURCE
#include "fifo_pipe_buffer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/ioctl.h>

#include "fifo_limits.h"

static atomic_ullong grown_count;
static atomic_ullong failed_count;
static atomic_int last_error;


static int capacity_of(int fd)
{
#ifdef F_GETPIPE_SZ
  int size= fcntl(fd, F_GETPIPE_SZ);

  if (size > 0)
    return size;
#else
  (void) fd;
#endif
  return FIFO_PIPE_SIZE_KERNEL_DEFAULT;
}


int fifo_pipe_grow(int fd, int target)
{
  int current= capacity_of(fd);

#ifdef F_SETPIPE_SZ
  int grown;

  if (target <= current)
    return current;
  if ((grown= fcntl(fd, F_SETPIPE_SZ, target)) < 0)
  {
    atomic_store_explicit(&last_error, errno, memory_order_relaxed);
    atomic_fetch_add_explicit(&failed_count, 1, memory_order_relaxed);
    return current;
  }
  atomic_fetch_add_explicit(&grown_count, 1, memory_order_relaxed);
  return grown;
#else
  (void) target;
  return current;
#endif
}


int fifo_pipe_queued(int fd)
{
  int queued;

  if (ioctl(fd, FIONREAD, &queued) < 0)
    return -1;
  return queued;
}


void fifo_pipe_buffer_stats_get(fifo_pipe_buffer_stats *stats)
{
  stats->grown= atomic_load_explicit(&grown_count, memory_order_relaxed);
  stats->failed= atomic_load_explicit(&failed_count, memory_order_relaxed);
  stats->last_error= atomic_load_explicit(&last_error, memory_order_relaxed);
}
