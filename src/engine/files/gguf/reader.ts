/**
 * GGUF files (llama.cpp's format) read header-only: the exact parameter count and bytes from the tensor
 * infos, and — for an architecture with a Hugging Face recipe — the model as that recipe builds it, from the
 * equivalent config.json that the GGUF metadata spells (`<arch>.embedding_length` → hidden_size, …), so
 * FLOPs per token, the KV cache and serving memory follow the same rules as for configs. The recipe's count
 * is checked against the tensors: a difference marks the figures unverified with both numbers. Tensors that
 * are no parameters of the Hugging Face class (llama.cpp's precomputed `rope_freqs`, a router's stored
 * correction-bias buffer, the multi-token-prediction layers the recipe reports apart) are left out of that
 * check and named.
 *
 * Mapped (arch-map.ts): llama (mixtral when it has experts), mistral, qwen2, qwen2moe, qwen3, qwen3moe, gemma,
 * gemma2, gemma3, phi3, gpt-oss, deepseek2 (DeepSeek-V2 or V3), olmoe, olmo2 (olmo3 when windowed),
 * command-r (cohere), cohere2, glm4, glm4moe, granite, granitemoe, granitehybrid (granitemoehybrid), lfm2 (not
 * its embedding / audio variants), seed_oss, exaone4, qwen3vl and qwen3vlmoe (the language model; the vision
 * tower is in the separate mmproj file), mistral3 (mistral, or ministral3), qwen3next (qwen3_next), qwen35 and
 * qwen35moe (qwen3_5_text, qwen3_5_moe_text: the language model; not an MTP-only draft file), minimax-m2
 * (minimax_m2), glm-dsa (glm_moe_dsa; not an MTP-only draft file). Keys follow convert_hf_to_gguf.py's writers.
 * An architecture without a mapping: params and bytes per tensor group from the tensor infos, no FLOPs.
 * A file without tensors (llama.cpp's `--vocab-only` GGUFs keep the hyperparameters and tokenizer): the
 * recipe's count from the metadata alone, marked unverified since nothing confirms it; without a recipe,
 * nothing is counted.
 */
import { DiagnosticSink } from '../../diagnostics';
import type { ModelIR } from '../../ir';
import { hfConfigReader } from '../../formats/hf-config';
import { parseJsonDocument } from '../../source/json';
import { formatBytes } from '../../units';
import { dtypeSummary, storedTensorsIr } from '../stored';
import type { ByteSource, FileReadOptions, ModelFileReader } from '../types';
import { equivalentConfig, FAMILIES, num, storedApart, str } from './arch-map';
import { readGgufHeader } from './parse';

function stripRanges(ir: ModelIR): ModelIR {
  return { ...ir, layers: ir.layers.map((l) => ({ ...l, range: { start: 0, end: 0 } })) };
}

function read(source: ByteSource, options: FileReadOptions, sink: DiagnosticSink): ModelIR | undefined {
  const h = readGgufHeader(source);
  const name = str(h, 'general.name') ?? source.fileName.split(/[\\/]/).pop()!.replace(/\.gguf$/i, '');
  const arch = str(h, 'general.architecture') ?? 'unknown';
  const stored = h.tensors.map((t) => ({ name: t.name, dtype: t.type, shape: t.shape, elements: t.elements, bytes: t.bytes }));
  const summary = dtypeSummary(stored);
  const totalBytes = stored.reduce((n, t) => n + t.bytes, 0);
  const totalElements = stored.reduce((n, t) => n + t.elements, 0);
  const types = summary.map((s) => `${s.dtype} ${formatBytes(s.bytes ?? 0)}`).join(', ');
  const notes = [
    `GGUF v${h.version}, ${arch}: ${h.tensors.length.toLocaleString('en-US')} tensors, ${totalElements.toLocaleString('en-US')} elements, ${formatBytes(totalBytes)} of weights (${types}); header ${formatBytes(h.headerBytes)}, read without the weights.`,
  ];
  const alignment = num(h, 'general.alignment') ?? 32;
  const dataStart = Math.ceil(h.headerBytes / alignment) * alignment;
  const dataEnd = h.tensors.reduce((end, t) => Math.max(end, dataStart + t.offset + t.bytes), dataStart);
  if (h.tensors.length && dataEnd > source.size) notes.push(`The file ends at ${source.size.toLocaleString('en-US')} bytes, before the ${dataEnd.toLocaleString('en-US')} its tensors need: a header-only or truncated copy (counts are unaffected; it cannot run).`);
  const known = Object.hasOwn(FAMILIES, arch) ? FAMILIES[arch] : undefined;
  // A known architecture whose particular file the recipe cannot read faithfully is counted like an unknown one.
  const unmapped = known?.unmapped?.(h, arch);
  const mapping = unmapped ? undefined : known;
  if (!h.tensors.length && !mapping) {
    sink.warning(`${source.fileName} holds no tensors (a vocabulary-only GGUF?) and ${unmapped ?? `its architecture "${arch}" has no Greenprint recipe`}; there is nothing to count.`, { start: 0, end: 0 });
    return undefined;
  }
  if (!mapping) {
    const ir = storedTensorsIr('gguf', name, stored, notes);
    return { ...ir, unverified: { reason: `${unmapped ?? `GGUF architecture "${arch}" has no Greenprint recipe`}: parameters and bytes come from the tensor table, with no FLOPs, KV cache or latency`, ignoredKeys: [] } };
  }
  const family = mapping.family(h, arch);
  const cls = `${family === 'mixtral' ? 'Mixtral' : ''}${mapping.cls}`;
  const config = equivalentConfig(h, arch, family, cls === mapping.cls ? `${arch.replace(/-/g, '')}${cls}` : cls);
  const configText = JSON.stringify(config, null, 2);
  const inner = new DiagnosticSink();
  const built = hfConfigReader.read({ text: configText, fileName: 'config.json (from GGUF metadata)', json: parseJsonDocument(configText) }, options, inner);
  for (const d of inner.items) sink.items.push({ ...d, message: `${d.message} (GGUF metadata read as config.json: ${configText.slice(d.range.start, d.range.end).slice(0, 80)})`, range: { start: 0, end: 0 } });
  if (!built) return h.tensors.length ? storedTensorsIr('gguf', name, stored, notes) : undefined;
  if (!h.tensors.length) {
    // llama.cpp's `--vocab-only` files keep the model's hyperparameters but no tensor: the recipe can still
    // count, but nothing in the file confirms it (tying, biases and vocabulary are the recipe's assumptions).
    notes.push(`Read as Hugging Face ${family} from the GGUF metadata alone (${configText.length} bytes of equivalent config.json); the file holds no tensor table to check the count against.`);
    return {
      ...stripRanges(built),
      format: 'gguf',
      modelName: name,
      notes: [...notes, ...(built.notes ?? [])],
      unverified: {
        reason: `${source.fileName.split(/[\\/]/).pop()} holds no tensors (a vocabulary-only GGUF): the parameter count is the ${family} recipe's from the metadata, not checked against a tensor table`,
        ignoredKeys: [],
      },
    };
  }
  // Tensors that are no parameters of the class (buffers, layers it drops) are left out of the check, and named.
  const apart = storedApart(family, config).map((a) => ({ ...a, count: 0 }));
  const parameterTensors = stored.filter((t) => {
    const group = apart.find((a) => a.match(t.name));
    if (group) group.count++;
    return !group;
  });
  const tensorParams = parameterTensors.reduce((n, t) => n + t.elements, 0);
  const leftOut = apart.filter((a) => a.count > 0).map((a) => `${a.count.toLocaleString('en-US')} tensor${a.count === 1 ? '' : 's'} of ${a.what} left out`);
  notes.push(`Read as Hugging Face ${family} (${configText.length} bytes of equivalent config.json from the GGUF metadata); parameters in the tensor table: ${tensorParams.toLocaleString('en-US')}${leftOut.length ? ` (${leftOut.join('; ')})` : ''}.`);
  return {
    ...stripRanges(built),
    format: 'gguf',
    modelName: name,
    notes: [...notes, ...(built.notes ?? [])],
    transformer: built.transformer && { ...built.transformer, storedWeights: { bytes: totalBytes, description: `GGUF ${types}` } },
    storedParams: { count: tensorParams, where: `${source.fileName.split(/[\\/]/).pop()}'s tensor table` },
  };
}

export const ggufReader: ModelFileReader = {
  id: 'gguf',
  label: 'GGUF model',
  extensions: ['.gguf'],
  detect(head) {
    return head.length >= 4 && head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55 && head[3] === 0x46;
  },
  read,
};
