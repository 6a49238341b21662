// `nx run static-gen:preview`: serve STATIC_OUT_DIR on http://127.0.0.1:$STATIC_PREVIEW_PORT.
// An entry point of its own beside main.ts, for the same reason as
// rebuild-main.ts: it owns the process; the server is pages/static-server.ts.
import { ConfigError, EXIT_CONFIG } from '@dbfifo/fifo-core';
import { loadPreviewConfig } from './config.ts';
import { createStaticServer, listen } from './pages/static-server.ts';

try {
  const { outDir, port } = loadPreviewConfig(process.env);
  const server = createStaticServer(outDir);
  const bound = await listen(server, port);
  process.stdout.write(`static-gen preview: http://127.0.0.1:${bound}/index.html (serving ${outDir})\n`);
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  process.stderr.write(`static-gen preview: ${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exit(err instanceof ConfigError ? EXIT_CONFIG : 1);
}
