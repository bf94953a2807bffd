/**
 * What sits on top of the layers, chosen by the class named in `architectures`: an lm_head (tied or
 * not), BERT's masked-LM and next-sentence heads, a pooler, a sequence or token classifier.
 */
import type { GraphBuilder } from '../../graph';
import { numLabels, type ConfigReader } from './config-reader';
import { bias } from './blocks';
import type { Recipe } from './recipes';
import { FIRST_TOKEN } from '../../ops/shape';

/** The head class named by `architectures[0]`, reduced to what changes the parameter count. */
export type Head = 'causal-lm' | 'base' | 'masked-lm' | 'sequence-classification' | 'token-classification' | 'question-answering' | 'pretraining';

export function headOf(architecture: string | undefined, recipe: Recipe): Head {
  if (!architecture) return recipe.kind === 'decoder' ? 'causal-lm' : 'base';
  if (/ForCausalLM$|LMHeadModel$|ForConditionalGeneration$/.test(architecture)) return 'causal-lm';
  if (/ForMaskedLM$/.test(architecture)) return 'masked-lm';
  if (/ForSequenceClassification$/.test(architecture)) return 'sequence-classification';
  if (/ForTokenClassification$/.test(architecture)) return 'token-classification';
  if (/ForQuestionAnswering$/.test(architecture)) return 'question-answering';
  if (/ForPreTraining$/.test(architecture)) return 'pretraining';
  if (/Model$/.test(architecture)) return 'base';
  return recipe.kind === 'decoder' ? 'causal-lm' : 'base';
}

export interface HeadSizes {
  readonly hidden: number;
  readonly vocab: number;
  readonly tied: boolean;
}

export function buildHead(c: ConfigReader, recipe: Recipe, head: Head, g: GraphBuilder, x: number, s: HeadSizes): number {
  const D = s.hidden;
  const archRange = c.range('architectures', 'model_type');
  const lmRange = c.range('tie_word_embeddings', 'vocab_size');
  const pooler = (): number => {
    const row = g.addLayer({ name: `${recipe.names.prefix}pooler`, type: 'pooler', range: archRange, detail: `dense ${D}→${D} + tanh on the first token` });
    const first = g.add('slice', FIRST_TOKEN, [x], row, 'first token');
    return g.add('activation', { fn: 'tanh' }, [g.add('dense', { units: D, bias: true }, [first], row, 'pooler.dense')], row, 'tanh');
  };
  const maskedLmHead = (): number => {
    const row = g.addLayer({ name: recipe.classifier === 'roberta' ? 'lm_head' : recipe.classifier === 'distilbert' ? 'vocab_transform+vocab_projector' : 'cls.predictions', type: 'masked-LM head', range: lmRange, detail: `transform + ${s.tied ? 'tied ' : ''}decoder ${D}→${s.vocab} with bias` });
    let h = g.add('dense', { units: D, bias: true }, [x], row, 'transform.dense');
    h = g.add('activation', { fn: 'gelu' }, [h], row, 'transform.act');
    h = g.add('norm', { kind: 'layer', bias: true }, [h], row, 'transform.LayerNorm');
    return g.add('lmHead', { vocab: s.vocab, tied: s.tied, bias: true }, [h], row, 'decoder');
  };

  switch (head) {
    case 'causal-lm': {
      if (recipe.kind === 'encoder') return maskedLmHead();
      const row = g.addLayer({ name: 'lm_head', type: 'lm_head', range: lmRange, detail: s.tied ? `tied to the embeddings (${s.vocab}×${D} counted once)` : `${D}→${s.vocab}, own weights` });
      return g.add('lmHead', { vocab: s.vocab, tied: s.tied, bias: bias(c, recipe.lmHeadBias ?? false) }, [x], row, 'lm_head');
    }
    case 'masked-lm':
      return maskedLmHead();
    case 'pretraining': {
      const mlm = maskedLmHead();
      const row = g.addLayer({ name: 'cls.seq_relationship', type: 'next-sentence head', range: archRange, detail: `${D}→2` });
      g.add('dense', { units: 2, bias: true }, [pooler()], row, 'seq_relationship');
      return mlm;
    }
    case 'sequence-classification': {
      const labels = numLabels(c);
      if (recipe.kind === 'decoder') {
        const row = g.addLayer({ name: 'score', type: 'classifier', range: archRange, detail: `${D}→${labels} labels` });
        return g.add('dense', { units: labels, bias: false }, [x], row, 'score');
      }
      if (recipe.classifier === 'distilbert') {
        const row = g.addLayer({ name: 'classifier', type: 'classifier', range: archRange, detail: `pre_classifier ${D}→${D} + ReLU + classifier →${labels}` });
        const first = g.add('slice', FIRST_TOKEN, [x], row, 'first token');
        const h = g.add('activation', { fn: 'relu' }, [g.add('dense', { units: D, bias: true }, [first], row, 'pre_classifier')], row, 'relu');
        return g.add('dense', { units: labels, bias: true }, [h], row, 'classifier');
      }
      if (recipe.classifier === 'roberta') {
        const row = g.addLayer({ name: 'classifier', type: 'classifier', range: archRange, detail: `dense ${D}→${D} + out_proj →${labels}` });
        const first = g.add('slice', FIRST_TOKEN, [x], row, 'first token');
        const h = g.add('activation', { fn: 'tanh' }, [g.add('dense', { units: D, bias: true }, [first], row, 'dense')], row, 'tanh');
        return g.add('dense', { units: labels, bias: true }, [h], row, 'out_proj');
      }
      const pooled = pooler();
      const row = g.addLayer({ name: 'classifier', type: 'classifier', range: archRange, detail: `${D}→${labels} labels` });
      return g.add('dense', { units: labels, bias: true }, [pooled], row, 'classifier');
    }
    case 'token-classification': {
      const labels = numLabels(c);
      const row = g.addLayer({ name: 'classifier', type: 'classifier', range: archRange, detail: `${D}→${labels} labels per token` });
      return g.add('dense', { units: labels, bias: true }, [x], row, 'classifier');
    }
    case 'question-answering': {
      // BertForQuestionAnswering and its kin build the encoder without a pooler: start/end logits per token.
      const row = g.addLayer({ name: 'qa_outputs', type: 'span head', range: archRange, detail: `${D}→2 (start and end logits) per token` });
      return g.add('dense', { units: 2, bias: true }, [x], row, 'qa_outputs');
    }
    case 'base':
      return recipe.kind === 'encoder' && !recipe.noPooler ? pooler() : x;
  }
}
