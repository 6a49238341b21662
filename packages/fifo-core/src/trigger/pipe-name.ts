// The pipe names fifo.so accepts (native/src/fifo_path.c, fifo_name_check), so
// `dbfifo trigger add` refuses a name the UDF would answer 'false' to on every row.
// Only bare names: the trigger's SQL then holds no host path, and fifo.so resolves
// the name inside each server's own DBFIFO_PIPE_DIR.

/** FIFO_NAME_MAX in native/src/fifo_limits.h. */
export const PIPE_NAME_MAX_BYTES = 255;

/** Why fifo.so would refuse `name`, or undefined when it is a valid bare pipe name. */
export function pipeNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.includes('/')) return "must be a bare name without '/' (fifo.so looks it up in its DBFIFO_PIPE_DIR)";
  if (name.startsWith('.') || name.startsWith('-')) return "must not start with '.' or '-'";
  if (/[\x00-\x1f\x7f]/.test(name)) return 'must not contain control characters';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > PIPE_NAME_MAX_BYTES) return `is ${bytes} bytes long; fifo.so accepts at most ${PIPE_NAME_MAX_BYTES}`;
  return undefined;
}
