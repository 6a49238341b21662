// The generator's entry for Nx (generators.json): plain JavaScript, because Nx
// loads a TypeScript generator only through a transpiler it finds (Node's type
// stripping, @swc-node/register or ts-node), and this workspace runs its
// TypeScript through tsx instead. tsx loads the generator itself.
import { tsImport } from 'tsx/esm/api';

export default async function worker(tree, options) {
  const { default: generate } = await tsImport('./generator.ts', import.meta.url);
  return generate(tree, options);
}
