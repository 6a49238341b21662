/*
  testhelp.h - a tiny test harness in the style of redis' testhelp.h:
  a condition macro that counts and reports, nothing more. The counters
  live in test_main.c.
*/
#ifndef TESTHELP_H
#define TESTHELP_H

#include <stdio.h>

extern int test_count;
extern int test_failures;

#define test_cond(descr, cond)                                              \
  do                                                                        \
  {                                                                         \
    test_count++;                                                           \
    if (!(cond))                                                            \
    {                                                                       \
      test_failures++;                                                      \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, descr);       \
    }                                                                       \
  } while (0)

void test_path(void);
void test_frame(void);
void test_io(void);
void test_udf(void);
void test_thread(void);
void test_fail_fast(void);

/* A fresh temporary directory for this run, removed by test_main.c. */
const char *test_dir(void);

#endif
