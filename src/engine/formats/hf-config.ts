/**
 * Hugging Face `config.json`: the reader lives in ./hf (recipes.ts lists the families, read.ts composes
 * them); this module keeps the reader's place in the format table.
 */
export { hfConfigReader } from './hf/read';
