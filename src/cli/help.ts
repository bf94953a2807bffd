/**
 * What `greenprint --help` and `greenprint <command> --help` (or -h) print: the list of commands, and for each
 * command its usage, what it does and the options it reads. Defaults are interpolated from the modules that
 * own them, so the help cannot drift from the behaviour. (agent and device print agent.ts's AGENT_USAGE.)
 */
import { defaultDataDirectory } from '../engine/latency/local';
import { MLP_DEFAULTS } from '../engine/supernet/mlp-predictor';
import { NSGA2_DEFAULTS } from '../engine/supernet/nsga2';
import { EVOLUTION_DEFAULTS } from '../engine/supernet/search';
import { AGENT_USAGE } from './agent';

export const OVERVIEW = `Usage: greenprint <command> [options]      greenprint <command> --help: that command's options

Commands:
  report FILE        params, MACs, FLOPs, memory per layer and in total (+ latency and CO2e with --device)
  latency FILE       predicted latency on --device; measured too when the device is this machine
  lut build FILE     build a latency lookup table on this machine for a supernet space or a model
  calibrate          measure this machine's compute and memory rates (for models without a table)
  search SUPERNET    best subnet under --max-latency MS | --max-flops N | --max-co2 G (--multi: the Pareto front)
  extract SUPERNET   write a subnet as standalone models (OFA net.config + safetensors, ONNX, TF.js):
                     --arch takes a saved \`search --json\` result (--pick N: its front entry N);
                     default --out ./greenprint-extract/<supernet>-subnet-<hash>/; --out DIR must be new or empty
                     (--force replaces the folder of an earlier extraction), never the supernet's folder
  weights convert IN OUT  supernet weights between safetensors and TF.js (.json + .bin), by extension
  predictor train DATA  train an accuracy predictor on (arch, accuracy) samples (JSONL or CSV)
  devices            target devices and how each is priced
  regions            grid regions with their carbon intensity and source
  agent              serve this machine as a measurement device (--host, --port, --token)
  device ping URL    check a running agent and its token (device measure URL FILE: time a model there)

Exit codes: 0 done, 1 the input has errors or a step failed, 2 usage error, 128 + the signal when
interrupted (130 for Ctrl-C).`;

const MODEL_OPTIONS = `Model options:
  --input R|HxW      image input size (e.g. 224 or 480x640)
  --seq-len N        tokens per sequence for transformers (default 2048)
  --context N        context length for decode FLOPs, KV cache and serving memory (default: seq-len)
  --batch N          batch size, also the sequences served at once (default 1)
  --scale S          model variant, e.g. YOLO scale n/s/m/l/x
  --dtype T          float32 | float16 | bfloat16 | int8 | int4`;

const CARBON_OPTIONS = `  --region R         grid region for CO2e, e.g. FR, US, gcp:europe-west9 (default: world average)
  --pue P            data-centre PUE (default: per device and region)
  --power W          device power in watts (default: the catalogue's; 28 W for this machine)`;

const DATA_DIR = () => `  --data-dir DIR     where latency tables and calibration live (default ${defaultDataDirectory()})`;

const JSON_OPTION = '  --json             print JSON (errors too, as {"error": {message, exitCode}})';
const HELP_OPTION = '  -h, --help         show this help';

const HELP: Record<string, () => string> = {
  report: () => `Usage: greenprint report FILE [options]

Params, MACs, FLOPs (= 2 × MACs) and memory per layer and in total for a model config (Keras, TF.js, YOLO
YAML, Hugging Face config.json, OFA net.config, …) or model file (ONNX, GGUF, safetensors); with --device
also latency and CO2e per inference, and with --train-samples/--epochs one training run.

${MODEL_OPTIONS}

Device and carbon options:
  --device D         target device (greenprint devices lists them)
${CARBON_OPTIONS}
  --train-samples N --epochs E   also estimate one training run (time, energy, CO2e) on the device
${DATA_DIR()}

${JSON_OPTION}
${HELP_OPTION}

Example: greenprint report samples/keras/vgg19.model.json --device local-cpu --region FR`,

  latency: () => `Usage: greenprint latency FILE [options]

Predicted latency of the model on --device (a lookup table, or this machine's calibration); when the device
is this machine (local-cpu, local-gpu) the model is also run and timed, and the prediction's error shown.

  --device D         target device (default local-cpu: this machine; greenprint devices lists them)
  --no-measure       predict only
  --runs N           timed runs when measuring
${MODEL_OPTIONS.split('\n').slice(1).join('\n')}
${CARBON_OPTIONS}
${DATA_DIR()}
${JSON_OPTION}
${HELP_OPTION}

Example: greenprint latency samples/ofa/note10_lat-30ms/net.config --input 64`,

  lut: () => `Usage: greenprint lut build SUPERNET|MODEL [options]

Times every distinct block of a supernet's space (at each resolution its description lists) or every
distinct layer of a model on this machine, and saves a latency lookup table that search, report and latency
then use. Interrupted builds resume where they stopped.

  --device D         local-cpu (default) or local-gpu: the table is measured here
  --resolution R     supernet spaces: only this input resolution (default: every one the file lists)
  --runtime tfjs|onnx  time blocks in TF.js (default) or ONNX Runtime
${DATA_DIR()}
${JSON_OPTION}
${HELP_OPTION}

Example: greenprint lut build samples/ofa/fashion-mnist/fmnist-mbv3.supernet.json --device local-cpu`,

  calibrate: () => `Usage: greenprint calibrate [options]

Measures this machine's achievable compute (GFLOP/s) and memory (GB/s) rates and saves them, so models
without a lookup table still get a latency estimate on local-cpu.

${DATA_DIR()}
${JSON_OPTION}
${HELP_OPTION}`,

  search: () => `Usage: greenprint search SUPERNET [--max-latency MS | --max-flops N | --max-co2 G] [options]

Finds the subnet of a supernet description (*.supernet.json) with the best predicted accuracy under one
limit: OFA's evolutionary search, or with --multi NSGA-II's Pareto front of accuracy against that cost.
Costs are shown as FLOPs (= 2 × MACs) beside MACs, and latency / CO2e where the device prices them.

Limit (at most one; none: the middle of the supernet's latency range on a device whose table prices it,
else of its FLOPs range, printed on stderr):
  --max-latency MS   predicted latency on --device (note10-ofa by default; local-cpu and local-gpu need a
                     table from \`greenprint lut build SUPERNET\` first)
  --max-flops N      FLOPs per inference, e.g. 15e6 or 600e6
  --max-co2 G        grams CO2e per inference on --device

Options:
  --multi            the Pareto front, printed as a table numbered 1…N, cheapest first
  --device D         device that prices latency and CO2e (greenprint devices lists them)
  --seed S           random seed (default ${EVOLUTION_DEFAULTS.seed}): the same seed gives the same result
  --generations N    generations (default ${EVOLUTION_DEFAULTS.generations}; with --multi ${NSGA2_DEFAULTS.generations})
${CARBON_OPTIONS}
${DATA_DIR()}
  --json             the result as JSON: constraint, best {arch, accuracy, flops, macs, latencyMs, co2eG},
                     front[] (with --multi), evaluated, seconds, seed
${HELP_OPTION}

Search, then extract:
  greenprint search samples/ofa/fashion-mnist/fmnist-mbv3.supernet.json --max-flops 15e6 --multi --json > result.json
  greenprint extract samples/ofa/fashion-mnist/fmnist-mbv3.supernet.json --arch result.json --pick 3`,

  extract: () => `Usage: greenprint extract SUPERNET [--arch FILE [--pick N]] [--out DIR] [options]

Writes one subnet of a supernet as standalone models: net.config + run.config + model.safetensors (an OFA
network), model.onnx (opset 17) and tfjs/ (a TF.js graph model). The whole set appears at once or not at all.

  --arch FILE        the subnet: a saved \`greenprint search … --json\` result (its best), a list of search
                     points, one search point, or a bare arch {ks, e, d, r}
                     (default: the supernet description's own "arch")
  --pick N           with a search result from --multi: its front entry N (1-based, as the table numbers them)
  --out DIR          where to write (default ./greenprint-extract/<supernet>-subnet-<8 hex of the arch>/,
                     created under the current folder); it must be new or empty. Never the supernet's
                     folder or one holding its inputs, not even with --force
  --force            replace DIR when it holds an earlier extraction (and nothing else)
  --weights W        supernet weights, .safetensors or TF.js .json (default: the description's "weights")
  --format F         onnx, tfjs or all (default all: both beside model.safetensors)
  --json             print the files written, the arch, tensors and params as JSON
${HELP_OPTION}

Example: greenprint extract samples/ofa/fashion-mnist/fmnist-mbv3.supernet.json --arch result.json --pick 3`,

  weights: () => `Usage: greenprint weights convert IN OUT [--supernet S.supernet.json] [--force]

Converts supernet (or any) weights between safetensors and the TF.js weights format (OUT.json + OUT.bin),
by the files' extensions.

  --supernet S       check the tensors against that supernet's space first, so the result is known to load
  --force            replace OUT when it exists
${HELP_OPTION}`,

  predictor: () => `Usage: greenprint predictor train DATA --supernet S.supernet.json --out DIR [options]

Trains Greenprint's MLP accuracy predictor on (arch, accuracy) samples (JSONL or CSV) for the supernet's
space, and writes it as a TF.js layers model (DIR/model.json + weights.bin); name it in the description's
"accuracy_predictor" for search to use it.

  --supernet S       the supernet description whose space the predictor covers (required)
  --out DIR          where model.json and weights.bin go (required)
  --epochs N         training epochs (default ${MLP_DEFAULTS.epochs})
  --seed S           random seed (default ${MLP_DEFAULTS.seed})
  --force            replace an existing predictor in DIR
  --json             print the outcome (files, counts, train and held-out RMSE) as JSON
${HELP_OPTION}`,

  devices: () => `Usage: greenprint devices [--json]

Lists the target devices (--device D) with how each is priced: lut (published lookup tables), roofline
(catalogue compute and memory rates), local-cpu / local-gpu (this machine: a table from lut build, else its
calibration).

${JSON_OPTION}
${HELP_OPTION}`,

  regions: () => `Usage: greenprint regions [--json]

Lists the grid regions (--region R) with their carbon intensity (gCO2e/kWh), source and year.

${JSON_OPTION}
${HELP_OPTION}`,

  agent: () => AGENT_USAGE,
  device: () => AGENT_USAGE,
};

/** The help of `command`, or undefined for a command that does not exist. */
export function commandHelp(command: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(HELP, command) ? HELP[command]() : undefined;
}

/** Commands that have a help page (all of them). */
export const COMMANDS_WITH_HELP: readonly string[] = Object.keys(HELP);
