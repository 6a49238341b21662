/*
  noop_udf.so - one UDF that does nothing: bench_noop() returns 'true'.
  The trigger-cost benchmark calls it from a trigger to measure what the
  server itself charges for calling any UDF per row, apart from what fifo.so
  does in its own init (config load) and in the pipe write.
*/
#include <string.h>
#include <mysql.h>

#define NOOP_API __attribute__((visibility("default")))

NOOP_API my_bool bench_noop_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
  (void) args;
  (void) message;
  initid->maybe_null= 0;
  initid->max_length= 4;
  return 0;
}

NOOP_API void bench_noop_deinit(UDF_INIT *initid)
{
  (void) initid;
}

NOOP_API char *bench_noop(UDF_INIT *initid, UDF_ARGS *args, char *result,
                          unsigned long *length, char *is_null, char *error)
{
  (void) initid;
  (void) args;
  (void) is_null;
  (void) error;
  memcpy(result, "true", 4);
  *length= 4;
  return result;
}
