/**
 * ONNX models (`.onnx`), read by ranges (model.ts) and translated into the op registry's IR (translate.ts).
 * External data files are never opened; a `location` that would leave the model's folder is refused.
 */
import type { ModelFileReader } from '../types';
import { readOnnxModel } from './model';
import { translateOnnx } from './translate';
import { OnnxError } from './wire';

export const onnxReader: ModelFileReader = {
  id: 'onnx',
  label: 'ONNX model',
  extensions: ['.onnx'],
  // ONNX has no magic number; a ModelProto starts with ir_version (field 1, varint: byte 0x08) in every exporter's output.
  detect: (head, fileName) => fileName.toLowerCase().endsWith('.onnx') || (head[0] === 0x08 && head[1] > 0 && head[1] < 20 && head[2] === 0x12),
  read(source, options, sink) {
    const head = new TextDecoder().decode(source.read(0, 64)).trimStart();
    if (/^<(!doctype|html)/i.test(head)) throw new OnnxError(`${source.fileName} is a web page (HTML), not an ONNX model: the download saved the page instead of the file.`);
    if (head.startsWith('version https://git-lfs')) throw new OnnxError(`${source.fileName} is a Git LFS pointer, not the model: run \`git lfs pull\` to fetch the file.`);
    const model = readOnnxModel(source);
    for (const t of model.initializers.values()) {
      if (!t.external) continue;
      const location = t.external.location;
      if (/^([a-zA-Z]:|[\\/])/.test(location) || location.split(/[\\/]/).includes('..')) {
        throw new OnnxError(`${source.fileName}: initializer "${t.name.slice(0, 200)}" keeps its data in "${location.slice(0, 200)}", outside the model's folder; Greenprint refuses to follow it.`);
      }
    }
    if (!model.nodes.length) sink.warning(`${source.fileName}: the graph has no nodes.`, { start: 0, end: 0 });
    const { ir } = translateOnnx(model, source.fileName, options);
    const external = [...model.initializers.values()].filter((t) => t.external).length;
    const notes = [
      `ONNX IR version ${model.irVersion ?? '?'}, opset ${[...model.opsets].map(([d, v]) => `${d || 'ai.onnx'} ${v}`).join(', ')}${model.producer ? `, from ${model.producer}` : ''}: ${model.nodes.length.toLocaleString('en-US')} nodes, ${model.initializers.size.toLocaleString('en-US')} initializers${external ? ` (${external} with external data, not opened)` : ''}.`,
      ...(ir.notes ?? []),
    ];
    return { ...ir, notes };
  },
};
