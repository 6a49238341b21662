/*
  fifo_io.c - opening, writing and reading FIFOs with deadlines.

  The sandbox rests on three things done here: every open is relative to
  the allowed directory's descriptor, O_NOFOLLOW refuses a symlink as the
  last component (the name has no other), and the type and identity of the
  entry are checked before (lstat-like) and after (fstat) the open, so a
  device or regular file is never opened through a race either.
*/
#include "fifo_io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fifo_limits.h"

#define FIFO_NSEC_PER_SEC 1000000000L
#define FIFO_NSEC_PER_MSEC 1000000L
#define FIFO_MSEC_PER_SEC 1000L

#ifdef O_PATH
#define FIFO_DIR_FLAGS (O_PATH | O_DIRECTORY | O_CLOEXEC)
#else
#define FIFO_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC)
#endif

#define FIFO_OPEN_FLAGS (O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)


static struct timespec deadline_after(int timeout_ms)
{
  struct timespec t;

  clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec+= timeout_ms / FIFO_MSEC_PER_SEC;
  t.tv_nsec+= (long) (timeout_ms % FIFO_MSEC_PER_SEC) * FIFO_NSEC_PER_MSEC;
  if (t.tv_nsec >= FIFO_NSEC_PER_SEC)
  {
    t.tv_sec++;
    t.tv_nsec-= FIFO_NSEC_PER_SEC;
  }
  return t;
}


/* Milliseconds left until the deadline, rounded up so that poll() never
   returns early into a busy loop; 0 once it has passed. */
static int remaining_ms(const struct timespec *deadline)
{
  struct timespec now;
  long long left_ns;

  clock_gettime(CLOCK_MONOTONIC, &now);
  left_ns= (long long) (deadline->tv_sec - now.tv_sec) * FIFO_NSEC_PER_SEC +
           (deadline->tv_nsec - now.tv_nsec);
  if (left_ns <= 0)
    return 0;
  return (int) ((left_ns + FIFO_NSEC_PER_MSEC - 1) / FIFO_NSEC_PER_MSEC);
}


int fifo_dir_open(const char *path, int *dir_fd)
{
  int fd;

  do
    fd= open(path, FIFO_DIR_FLAGS);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return errno;
  *dir_fd= fd;
  return 0;
}


static int entry_is_fifo(int dir_fd, const char *name, struct stat *st)
{
  if (fstatat(dir_fd, name, st, AT_SYMLINK_NOFOLLOW))
    return errno;
  return S_ISFIFO(st->st_mode) ? 0 : FIFO_E_NOT_FIFO;
}


int fifo_make(int dir_fd, const char *name)
{
  struct stat st;

  if (mkfifoat(dir_fd, name, FIFO_CREATE_MODE) == 0)
    return 0;
  if (errno != EEXIST)
    return errno;
  return entry_is_fifo(dir_fd, name, &st);
}


/*
  A FIFO swapped for another file between the check and unlinkat() can only
  be swapped by someone who may already write (and so unlink) inside the
  allowed directory; nothing outside it is reachable.
*/
int fifo_unlink(int dir_fd, const char *name, fifo_entry_id *id)
{
  struct stat st;
  int rc;

  if ((rc= entry_is_fifo(dir_fd, name, &st)))
    return rc;
  if (unlinkat(dir_fd, name, 0))
    return errno;
  if (id)
  {
    id->dev= st.st_dev;
    id->ino= st.st_ino;
  }
  return 0;
}


static int open_fifo(int dir_fd, const char *name, int access, int *fd_out,
                     fifo_entry_id *id)
{
  struct stat before, after;
  int rc, fd;

  if ((rc= entry_is_fifo(dir_fd, name, &before)))
    return rc;
  do
    fd= openat(dir_fd, name, access | FIFO_OPEN_FLAGS);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return errno == ELOOP ? FIFO_E_CHANGED : errno;
  if (fstat(fd, &after) || !S_ISFIFO(after.st_mode) ||
      after.st_dev != before.st_dev || after.st_ino != before.st_ino)
  {
    close(fd);
    return FIFO_E_CHANGED;
  }
  if (id)
  {
    id->dev= after.st_dev;
    id->ino= after.st_ino;
  }
  *fd_out= fd;
  return 0;
}


int fifo_open_writer(int dir_fd, const char *name, int *fd, fifo_entry_id *id)
{
  return open_fifo(dir_fd, name, O_WRONLY, fd, id);
}


int fifo_open_reader(int dir_fd, const char *name, int *fd)
{
  return open_fifo(dir_fd, name, O_RDWR, fd, NULL);
}


int fifo_entry_is(int dir_fd, const char *name, const fifo_entry_id *id)
{
  struct stat st;
  int rc;

  if ((rc= entry_is_fifo(dir_fd, name, &st)))
    return rc;
  if (st.st_dev != id->dev || st.st_ino != id->ino)
    return FIFO_E_CHANGED;
  return 0;
}


/* Starts the deadline on first need: a write that fits costs no clock read. */
static int wait_ms_left(struct timespec *deadline, int *started,
                        int timeout_ms)
{
  if (!*started)
  {
    *deadline= deadline_after(timeout_ms);
    *started= 1;
  }
  return remaining_ms(deadline);
}


static int write_with_deadline(int fd, const char *line, size_t length,
                               int timeout_ms)
{
  struct timespec deadline;
  int started= 0;

  for (;;)
  {
    struct pollfd pfd;
    ssize_t n= write(fd, line, length);
    int wait_ms;

    if (n == (ssize_t) length)
      return 0;
    if (n >= 0)
      return FIFO_E_SHORT_WRITE;
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return errno;
    if (timeout_ms == 0 ||
        (wait_ms= wait_ms_left(&deadline, &started, timeout_ms)) == 0)
      return ETIMEDOUT;
    pfd.fd= fd;
    pfd.events= POLLOUT;
    pfd.revents= 0;
    if (poll(&pfd, 1, wait_ms) < 0 && errno != EINTR)
      return errno;
  }
}


int fifo_sigpipe_ignored(void)
{
  struct sigaction action;

  if (sigaction(SIGPIPE, NULL, &action))
    return 0;
  return !(action.sa_flags & SA_SIGINFO) && action.sa_handler == SIG_IGN;
}


/*
  SIGPIPE for a write to a pipe without reader goes to the writing thread.
  Unless the process ignores it (mysqld does), block it around the write
  and, if our write raised it, take it back with sigtimedwait() before
  unblocking, unless one was already pending (then it was not ours to
  take). Either way the process never sees a SIGPIPE from us.
*/
int fifo_write_line(int fd, const char *line, size_t length, int timeout_ms,
                    int sigpipe_ignored)
{
  static const struct timespec no_wait= { 0, 0 };
  sigset_t pipe_set, old_set, pending;
  int had_pending, rc;

  if (sigpipe_ignored)
    return write_with_deadline(fd, line, length, timeout_ms);

  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigemptyset(&pending);
  sigpending(&pending);
  had_pending= sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  rc= write_with_deadline(fd, line, length, timeout_ms);
  if (rc == EPIPE && !had_pending)
  {
    while (sigtimedwait(&pipe_set, NULL, &no_wait) < 0 && errno == EINTR)
    {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_set, NULL);
  return rc;
}


int fifo_read_line(int fd, char *buf, size_t size, size_t *length,
                   int timeout_ms)
{
  struct timespec deadline;
  size_t n= 0;
  int too_long= 0, started= 0;

  if (size == 0)
    return FIFO_E_LINE_LONG;
  for (;;)
  {
    struct pollfd pfd;
    char c;
    ssize_t got= read(fd, &c, 1);
    int wait_ms;

    if (got == 1)
    {
      if (c == '\n')
        break;
      if (n < size - 1)
        buf[n++]= c;
      else
        too_long= 1;
      continue;
    }
    if (got == 0)
      return n || too_long ? FIFO_E_PARTIAL : EIO;
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return errno;
    if ((wait_ms= wait_ms_left(&deadline, &started, timeout_ms)) == 0)
    {
      if (too_long)
        return FIFO_E_LINE_LONG;
      return n ? FIFO_E_PARTIAL : ETIMEDOUT;
    }
    pfd.fd= fd;
    pfd.events= POLLIN;
    pfd.revents= 0;
    if (poll(&pfd, 1, wait_ms) < 0 && errno != EINTR)
      return errno;
  }
  if (too_long)
    return FIFO_E_LINE_LONG;
  *length= n;
  return 0;
}
