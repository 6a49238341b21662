/*
  fifo_thread.c - per-thread directory descriptor and pipe cache.

  Why per thread and not process-wide: a descriptor shared between threads
  could be closed by one (the directory was replaced) while another passes
  it to openat(), and the number may by then belong to another file. Owned
  by one thread, no lock and no such race exist. The cost is at most
  1 + FIFO_THREAD_PIPES descriptors per server thread that has called a
  fifo_* function (the server's open_files_limit must allow for them).

  fifo.so is linked with -z nodelete: the key's destructor must stay
  loaded for threads that end after a DROP FUNCTION.
*/
#include "fifo_thread.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fifo_config.h"
#include "fifo_fail_fast.h"
#include "fifo_pipe_buffer.h"

#define FIFO_MSEC_PER_SEC 1000LL
#define FIFO_NSEC_PER_MSEC 1000000L

static pthread_key_t thread_key;
static pthread_once_t thread_key_once= PTHREAD_ONCE_INIT;
static int thread_key_error;


long long fifo_coarse_ms(void)
{
  struct timespec t;

#ifdef CLOCK_MONOTONIC_COARSE
  if (clock_gettime(CLOCK_MONOTONIC_COARSE, &t) == 0)
    return t.tv_sec * FIFO_MSEC_PER_SEC + t.tv_nsec / FIFO_NSEC_PER_MSEC;
#endif
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * FIFO_MSEC_PER_SEC + t.tv_nsec / FIFO_NSEC_PER_MSEC;
}


static void slot_close(fifo_pipe_slot *slot)
{
  if (slot->name[0])
    close(slot->fd);
  slot->name[0]= '\0';
  slot->fd= -1;
}


static void close_pipes(fifo_thread *thread)
{
  int i;

  for (i= 0; i < FIFO_THREAD_PIPES; i++)
    slot_close(&thread->slots[i]);
}


static void close_dir(fifo_thread *thread)
{
  close_pipes(thread);
  if (thread->dir_fd >= 0)
    close(thread->dir_fd);
  thread->dir_fd= -1;
}


static void thread_end(void *arg)
{
  fifo_thread *thread= arg;

  close_dir(thread);
  free(thread);
}


static void create_key(void)
{
  thread_key_error= pthread_key_create(&thread_key, thread_end);
}


/* realpath + stat; keeps the open descriptor when the directory is the
   same one, else opens the new one and drops every cached pipe. */
static void check_dir(fifo_thread *thread, const fifo_config *config)
{
  char real[PATH_MAX];
  char copy[FIFO_PATH_MAX + 1];
  struct stat st;
  int fd, rc;

  thread->checked_ms= fifo_coarse_ms();
  thread->sigpipe_ignored= fifo_sigpipe_ignored();
  if (config->dir_error)
  {
    close_dir(thread);
    thread->dir_error= config->dir_error;
    return;
  }
  if (!realpath(config->dir, real))
    rc= errno;
  else if (!(rc= fifo_config_copy_dir(copy, real)) && stat(copy, &st))
    rc= errno;
  if (rc)
  {
    close_dir(thread);
    thread->dir_error= rc;
    return;
  }
  if (thread->dir_fd >= 0 && !thread->dir_error &&
      st.st_dev == thread->dir_id.dev && st.st_ino == thread->dir_id.ino &&
      strcmp(copy, thread->dir_real) == 0)
    return;

  close_dir(thread);
  if ((rc= fifo_dir_open(copy, &fd)))
  {
    thread->dir_error= rc;
    return;
  }
  if (fstat(fd, &st))
  {
    thread->dir_error= errno;
    close(fd);
    return;
  }
  thread->dir_fd= fd;
  thread->dir_id.dev= st.st_dev;
  thread->dir_id.ino= st.st_ino;
  memcpy(thread->dir_real, copy, sizeof(copy));
  thread->dir_error= 0;
}


static fifo_thread *thread_new(void)
{
  fifo_thread *thread= calloc(1, sizeof(*thread));
  int i;

  if (!thread)
    return NULL;
  thread->dir_fd= -1;
  thread->dir_error= ENOENT;
  for (i= 0; i < FIFO_THREAD_PIPES; i++)
    thread->slots[i].fd= -1;
  if (pthread_setspecific(thread_key, thread))
  {
    free(thread);
    return NULL;
  }
  return thread;
}


fifo_thread *fifo_thread_get(void)
{
  const fifo_config *config= fifo_config_get();
  unsigned int generation= fifo_config_generation();
  long long now= fifo_coarse_ms();
  fifo_thread *thread;

  pthread_once(&thread_key_once, create_key);
  if (thread_key_error)
    return NULL;
  if (!(thread= pthread_getspecific(thread_key)))
  {
    if (!(thread= thread_new()))
      return NULL;
    thread->generation= generation;
    check_dir(thread, config);
  }
  else if (thread->generation != generation)
  {
    close_dir(thread);
    thread->generation= generation;
    check_dir(thread, config);
  }
  else if (thread->dir_fd < 0 ||
           now - thread->checked_ms >= FIFO_DIR_RECHECK_MS)
    check_dir(thread, config);
  thread->now_ms= now;
  return thread;
}


fifo_allowed_dir fifo_thread_allowed(const fifo_thread *thread)
{
  const fifo_config *config= fifo_config_get();
  fifo_allowed_dir allowed;

  allowed.configured= config->dir;
  allowed.configured_length= strlen(config->dir);
  allowed.real= thread->dir_real;
  allowed.real_length= strlen(thread->dir_real);
  return allowed;
}


int fifo_thread_dir_changed(fifo_thread *thread)
{
  int fd_before= thread->dir_fd;
  fifo_entry_id before= thread->dir_id;

  check_dir(thread, fifo_config_get());
  if (thread->dir_error || thread->dir_fd < 0)
    return 0;
  /* check_dir closes the old descriptor before opening the new one, so
     the number alone may repeat: compare the directory's identity. */
  return fd_before < 0 || thread->dir_id.dev != before.dev ||
         thread->dir_id.ino != before.ino;
}


static fifo_pipe_slot *find_slot(fifo_thread *thread, const char *name)
{
  int i;

  for (i= 0; i < FIFO_THREAD_PIPES; i++)
    if (thread->slots[i].name[0] && strcmp(thread->slots[i].name, name) == 0)
      return &thread->slots[i];
  return NULL;
}


/* A free slot, else the least recently used one, closed. */
static fifo_pipe_slot *take_slot(fifo_thread *thread)
{
  fifo_pipe_slot *oldest= &thread->slots[0];
  int i;

  for (i= 0; i < FIFO_THREAD_PIPES; i++)
  {
    if (!thread->slots[i].name[0])
      return &thread->slots[i];
    if (thread->slots[i].used < oldest->used)
      oldest= &thread->slots[i];
  }
  slot_close(oldest);
  return oldest;
}


int fifo_thread_writer(fifo_thread *thread, const char *name,
                       const fifo_pipe_slot **pipe, uint64_t *serial,
                       int *cached)
{
  fifo_pipe_slot *slot= find_slot(thread, name);
  fifo_entry_id id;
  size_t length;
  int rc, opened;

  if (slot && slot->serial != *serial &&
      thread->now_ms - slot->checked_ms >= FIFO_PIPE_RECHECK_MS)
  {
    if (fifo_entry_is(thread->dir_fd, name, &slot->id) == 0)
      slot->checked_ms= thread->now_ms;
    else
    {
      /* Its inode may be freed and its number given to a new FIFO: a mark
         left on it could make that one fail fast. */
      fifo_fail_fast_clear(&slot->id);
      slot_close(slot);
      slot= NULL;
    }
  }
  if (slot)
  {
    slot->used= ++thread->tick;
    *pipe= slot;
    *serial= slot->serial;
    *cached= 1;
    return 0;
  }
  if ((rc= fifo_open_writer(thread->dir_fd, name, &opened, &id)))
    return rc;
  slot= take_slot(thread);
  length= strlen(name);
  memcpy(slot->name, name, length + 1);
  slot->fd= opened;
  slot->id= id;
  slot->serial= ++thread->serial;
  slot->used= ++thread->tick;
  slot->checked_ms= thread->now_ms;
  slot->capacity= fifo_pipe_grow(opened, fifo_config_get()->pipe_size_target);
  *pipe= slot;
  *serial= slot->serial;
  *cached= 0;
  return 0;
}


void fifo_thread_drop(fifo_thread *thread, const char *name)
{
  fifo_pipe_slot *slot= find_slot(thread, name);

  if (slot)
    slot_close(slot);
}
