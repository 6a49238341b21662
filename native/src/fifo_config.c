/*
  fifo_config.c - the allowed directory and timeouts from the environment.

  getenv() is safe here: the server does not change its environment while
  running. realpath() is taken once, so "/tmp" and a symlinked spelling of
  the directory both work and compare exactly afterwards.
*/
#include "fifo_config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fifo_io.h"

#define FIFO_DECIMAL 10


int fifo_clamp_ms(long long value, int max)
{
  if (value < 0)
    return 0;
  if (value > max)
    return max;
  return (int) value;
}


int fifo_parse_ms(const char *text, int fallback, int max)
{
  char *end;
  long long value;

  if (!text || !*text)
    return fallback;
  errno= 0;
  value= strtoll(text, &end, FIFO_DECIMAL);
  if (errno || *end != '\0')
    return fallback;
  return fifo_clamp_ms(value, max);
}


static int copy_dir(char *out, const char *in)
{
  size_t length= strlen(in);

  if (in[0] != '/')
    return EINVAL;
  while (length > 1 && in[length - 1] == '/')
    length--;
  if (length <= 1 || length > FIFO_PATH_MAX)
    return EINVAL;
  memcpy(out, in, length);
  out[length]= '\0';
  return 0;
}


void fifo_config_load(fifo_config *config)
{
  const char *dir= getenv(FIFO_ENV_DIR);
  char real[PATH_MAX];

  config->dir_fd= -1;
  config->dir_real[0]= '\0';
  config->write_timeout_ms= fifo_parse_ms(getenv(FIFO_ENV_WRITE_TIMEOUT),
                                          FIFO_WRITE_TIMEOUT_DEFAULT_MS,
                                          FIFO_WRITE_TIMEOUT_MAX_MS);
  if (!dir || !*dir)
    dir= FIFO_DEFAULT_DIR;
  if ((config->dir_error= copy_dir(config->dir, dir)))
  {
    /* Keep a printable, bounded copy for error texts. */
    strncpy(config->dir, dir, FIFO_PATH_MAX);
    config->dir[FIFO_PATH_MAX]= '\0';
    return;
  }
  if (!realpath(config->dir, real))
  {
    config->dir_error= errno;
    return;
  }
  if ((config->dir_error= copy_dir(config->dir_real, real)))
    return;
  config->dir_error= fifo_dir_open(config->dir_real, &config->dir_fd);
}


void fifo_config_close(fifo_config *config)
{
  if (config->dir_fd >= 0)
    close(config->dir_fd);
  config->dir_fd= -1;
}


fifo_allowed_dir fifo_config_allowed(const fifo_config *config)
{
  fifo_allowed_dir allowed;

  allowed.configured= config->dir;
  allowed.configured_length= strlen(config->dir);
  allowed.real= config->dir_real;
  allowed.real_length= strlen(config->dir_real);
  return allowed;
}
