/*
  test_main.c - runs every C unit suite; exit status 1 on any failure.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testhelp.h"

int test_count;
int test_failures;

static char dir_template[]= "/tmp/fifo-test-XXXXXX";
static const char *dir;


const char *test_dir(void)
{
  return dir;
}


static void remove_dir(void)
{
  char command[sizeof(dir_template) + 16];

  /* Our own mkdtemp() name: no untrusted data in this command. */
  snprintf(command, sizeof(command), "rm -rf '%s'", dir);
  if (system(command) != 0)
    fprintf(stderr, "could not remove %s\n", dir);
}


int main(void)
{
  struct
  {
    const char *name;
    void (*run)(void);
  } suites[]= {
    { "path", test_path },
    { "frame", test_frame },
    { "io", test_io },
    { "udf", test_udf },
    { "thread", test_thread },
    { "fail-fast", test_fail_fast },
  };
  size_t i;

  if (!(dir= mkdtemp(dir_template)))
  {
    perror("mkdtemp");
    return 1;
  }
  for (i= 0; i < sizeof(suites) / sizeof(suites[0]); i++)
  {
    int before_count= test_count, before_failures= test_failures;
    suites[i].run();
    printf("%-9s %3d checks, %d failed\n", suites[i].name,
           test_count - before_count, test_failures - before_failures);
  }
  remove_dir();
  printf("%d checks, %d failed\n", test_count, test_failures);
  return test_failures ? 1 : 0;
}
