/*
  fifo_config.c - the allowed directory, the write timeout and the pipe
  size from the environment.

  Read once per process: the server does not change its environment while
  running, and getenv() per row would cost for nothing. realpath() and the
  directory descriptor are not taken here but per thread (fifo_thread.c),
  because the directory may appear or be replaced after the first call.
*/
#include "fifo_config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIFO_DECIMAL 10
#define FIFO_PROC_NUMBER_MAX 32

static fifo_config config_once;
static pthread_once_t config_loaded= PTHREAD_ONCE_INIT;
static unsigned int generation;


int fifo_clamp_ms(long long value, int max)
{
  if (value < 0)
    return 0;
  if (value > max)
    return max;
  return (int) value;
}


int fifo_parse_setting(const char *text, int fallback, int max)
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


int fifo_config_copy_dir(char *out, const char *in)
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


int fifo_read_pipe_max_size(void)
{
  char text[FIFO_PROC_NUMBER_MAX];
  ssize_t n;
  int fd;

  do
    fd= open(FIFO_PIPE_MAX_SIZE_FILE, O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return 0;
  do
    n= read(fd, text, sizeof(text) - 1);
  while (n < 0 && errno == EINTR);
  close(fd);
  if (n <= 0)
    return 0;
  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
    n--;
  text[n]= '\0';
  return fifo_parse_setting(text, 0, INT_MAX);
}


void fifo_config_load(fifo_config *config)
{
  const char *dir= getenv(FIFO_ENV_DIR);

  config->write_timeout_ms= fifo_parse_setting(getenv(FIFO_ENV_WRITE_TIMEOUT),
                                               FIFO_WRITE_TIMEOUT_DEFAULT_MS,
                                               FIFO_WRITE_TIMEOUT_MAX_MS);
  config->pipe_size= fifo_parse_setting(getenv(FIFO_ENV_PIPE_SIZE),
                                        FIFO_PIPE_SIZE_DEFAULT,
                                        FIFO_PIPE_SIZE_MAX);
  /* Capped even for a privileged server: the administrator's limit. */
  config->pipe_max_size= fifo_read_pipe_max_size();
  config->pipe_size_target= config->pipe_size;
  if (config->pipe_max_size > 0 &&
      config->pipe_size_target > config->pipe_max_size)
    config->pipe_size_target= config->pipe_max_size;
  if (!dir || !*dir)
    dir= FIFO_DEFAULT_DIR;
  if ((config->dir_error= fifo_config_copy_dir(config->dir, dir)))
  {
    /* Keep a printable, bounded copy for error texts. */
    strncpy(config->dir, dir, FIFO_PATH_MAX);
    config->dir[FIFO_PATH_MAX]= '\0';
  }
}


static void load_once(void)
{
  fifo_config_load(&config_once);
}


const fifo_config *fifo_config_get(void)
{
  pthread_once(&config_loaded, load_once);
  return &config_once;
}


void fifo_config_reload(void)
{
  pthread_once(&config_loaded, load_once);
  fifo_config_load(&config_once);
  __atomic_add_fetch(&generation, 1, __ATOMIC_RELEASE);
}


unsigned int fifo_config_generation(void)
{
  return __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
}
