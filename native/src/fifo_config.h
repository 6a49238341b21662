/*
  fifo_config.h - the settings of the server process, read once per
  statement (in a UDF's init), never per row.

    DBFIFO_PIPE_DIR          the one directory the UDFs may touch
                             (default /run/dbfifo; absolute, not "/")
    DBFIFO_WRITE_TIMEOUT_MS  how long fifo_write waits for room in a full
                             pipe (default 100, clamped to 0..10000)
*/
#ifndef FIFO_CONFIG_H
#define FIFO_CONFIG_H

#include "fifo_limits.h"
#include "fifo_path.h"

typedef struct fifo_config
{
  char dir[FIFO_PATH_MAX + 1];      /* as configured, no trailing '/' */
  char dir_real[FIFO_PATH_MAX + 1]; /* realpath(dir), or "" if unusable */
  int dir_fd;                       /* -1 when unusable, see dir_error */
  int dir_error;                    /* 0, an errno value or FIFO_E_* */
  int write_timeout_ms;
} fifo_config;

/* Reads the environment and opens the allowed directory. Never fails:
   an unusable directory is recorded in dir_error and reported per call. */
void fifo_config_load(fifo_config *config);

/* Closes dir_fd. */
void fifo_config_close(fifo_config *config);

/* The directory spellings fifo_path_resolve() accepts. */
fifo_allowed_dir fifo_config_allowed(const fifo_config *config);

/* Parses a millisecond count: NULL, empty or garbage gives fallback,
   a value beyond [0, max] is clamped into it. */
int fifo_parse_ms(const char *text, int fallback, int max);

/* Clamps a timeout argument into [0, max]. */
int fifo_clamp_ms(long long value, int max);

#endif
