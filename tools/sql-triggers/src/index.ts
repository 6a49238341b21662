// For other tools (the worker generator): the blocks of a schema file and their SQL.
export { BLOCK_END, BLOCK_START, findBlocks, replaceBlocks, shellWords } from './blocks.ts';
export { regenerate } from './generate.ts';
export { renderBlock } from './render.ts';
