/*
  fifo_udf.h - the SQL functions exported by fifo.so.

  Everything else in the library is hidden (-fvisibility=hidden); only the
  names below are visible to the server's dlsym(). The prototypes follow
  MariaDB's sql/udf_example.c; with MySQL 8 headers my_bool becomes bool.
*/
#ifndef FIFO_UDF_H
#define FIFO_UDF_H

#include <mysql.h>

#if defined(MARIADB_BASE_VERSION) || !defined(MYSQL_VERSION_ID) || \
    MYSQL_VERSION_ID < 80000
typedef my_bool fifo_bool;
typedef char fifo_flag;
#else
typedef bool fifo_bool;
typedef unsigned char fifo_flag;
#endif

#define FIFO_EXPORT __attribute__((visibility("default")))

#define FIFO_UDF_DECLARE(fn)                                               \
  FIFO_EXPORT fifo_bool fn##_init(UDF_INIT *initid, UDF_ARGS *args,        \
                                  char *message);                          \
  FIFO_EXPORT void fn##_deinit(UDF_INIT *initid);                          \
  FIFO_EXPORT char *fn(UDF_INIT *initid, UDF_ARGS *args, char *result,     \
                       unsigned long *length, fifo_flag *is_null,          \
                       fifo_flag *error)

FIFO_UDF_DECLARE(fifo_create);
FIFO_UDF_DECLARE(fifo_remove);
FIFO_UDF_DECLARE(fifo_write);
FIFO_UDF_DECLARE(fifo_read);
FIFO_UDF_DECLARE(fifo_error);
FIFO_UDF_DECLARE(fifo_info);

#endif
