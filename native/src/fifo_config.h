/*
  fifo_config.h - the settings of the server process, read from its
  environment once (the first time any fifo_* function starts) and kept
  for the life of the process: changing them needs a server restart.

    DBFIFO_PIPE_DIR          the one directory the UDFs may touch
                             (default /run/dbfifo; absolute, not "/")
    DBFIFO_WRITE_TIMEOUT_MS  how long fifo_write waits for room in a full
                             pipe (default 10, clamped to 0..10000), once
                             per episode: then the pipe fails fast
    DBFIFO_PIPE_SIZE         the buffer fifo_write grows a pipe to when it
                             opens it (default 1048576; 0 leaves the
                             kernel's size), capped at pipe-max-size

  Only the settings are fixed here. Where the directory resolves to, and
  the descriptor opened on it, are per thread and re-checked (fifo_thread.h),
  so a directory created or replaced after the server started is found.
*/
#ifndef FIFO_CONFIG_H
#define FIFO_CONFIG_H

#include "fifo_limits.h"

typedef struct fifo_config
{
  char dir[FIFO_PATH_MAX + 1]; /* as configured, no trailing '/' */
  int dir_error;               /* EINVAL when the setting itself is bad */
  int write_timeout_ms;
  int pipe_size;               /* DBFIFO_PIPE_SIZE as configured, 0 = leave */
  int pipe_max_size;           /* /proc/sys/fs/pipe-max-size, 0 if unknown */
  int pipe_size_target;        /* what an open grows a pipe to, 0 = leave */
} fifo_config;

/* The process's settings, read on first use (pthread_once); never NULL,
   never changes afterwards except through fifo_config_reload(). */
const fifo_config *fifo_config_get(void);

/* Tests only: reads the environment again and bumps the generation, so
   every thread drops what it opened under the old settings. Not safe
   while other threads run fifo_* calls. */
void fifo_config_reload(void);

/* Incremented by fifo_config_reload(). */
unsigned int fifo_config_generation(void);

/* Reads the settings from the environment into config. */
void fifo_config_load(fifo_config *config);

/* Copies an absolute directory path without its trailing '/'s into out
   (FIFO_PATH_MAX + 1 bytes): EINVAL when relative, "/" or too long. */
int fifo_config_copy_dir(char *out, const char *in);

/* Parses a setting that is a count (milliseconds, bytes): NULL, empty or
   garbage gives fallback, a value beyond [0, max] is clamped into it. */
int fifo_parse_setting(const char *text, int fallback, int max);

/* The kernel's pipe-max-size (bytes), 0 when it cannot be read. */
int fifo_read_pipe_max_size(void);

/* Clamps a timeout argument into [0, max]. */
int fifo_clamp_ms(long long value, int max);

#endif
