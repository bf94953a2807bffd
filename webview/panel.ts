/**
 * The Greenprint panel's page (bundled to dist/webview/panel.js, runs in the editor's webview sandbox).
 *
 * It renders what the host sends (protocol.ts) and sends back what the user asks for; it computes nothing
 * about models itself. View state (form, axis, sort, selection, details seen) lives in `vscode.setState`, so
 * a hidden and re-shown or reloaded panel comes back as it was before the host has even answered `ready`.
 * Controls are @vscode-elements/elements web components (themed by VS Code's CSS variables); the plot is our
 * own SVG (plot.ts); everything is reachable by keyboard.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import {
  availableAxes,
  AXIS_LABELS,
  formatAccuracy,
  formatCost,
  formatFlops,
  formatGrams,
  formatMacs,
  formatMs,
  formatOps,
  formatParams,
  formatPoints,
  nextSort,
  sortPoints,
  type SortColumn,
  type SortOrder,
} from '../src/extension/panel/plot-model';
import type {
  ConstraintKind,
  CostAxis,
  DeviceChoice,
  GpuMeasurement,
  HostMessage,
  PanelPoint,
  PanelRequest,
  PanelSnapshot,
  PointDetails,
  SupernetChoice,
  TargetChoice,
  TargetMeasurementView,
  WebviewMessage,
} from '../src/extension/panel/protocol';
import { DEFAULT_LIMITS, formatLimit, LIMIT_UNITS, parseLimit, requestProblem } from '../src/extension/panel/request';
import { clear, h } from './dom';
import { renderPlot } from './plot';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): ViewState | undefined;
  setState(state: ViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface FormState {
  supernet: string;
  device: string;
  constraint: ConstraintKind;
  limits: Record<ConstraintKind, string>;
  multi: boolean;
  seed: string;
  generations: string;
}

interface ActionState {
  what: 'extract' | 'measure';
  message: string;
  failed?: boolean;
}

interface ViewState {
  supernets: SupernetChoice[];
  devices: DeviceChoice[];
  targets: TargetChoice[];
  snapshot: PanelSnapshot;
  form: FormState;
  axis?: CostAxis;
  sort?: SortOrder;
  selected?: string;
  measureTarget?: string;
  details: Record<string, PointDetails>;
  actions: Record<string, ActionState>;
}

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
/** The nonce of this script, for the TF.js script added when measuring on the GPU. */
const scriptNonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';

const EMPTY_FORM: FormState = { supernet: '', device: 'local-cpu', constraint: 'flops', limits: { ...DEFAULT_LIMITS }, multi: true, seed: '0', generations: '' };
let state: ViewState = vscode.getState() ?? {
  supernets: [],
  devices: [],
  targets: [],
  snapshot: { run: { status: 'idle' }, extracted: {}, measurements: {} },
  form: EMPTY_FORM,
  details: {},
  actions: {},
};
let initialised = state.supernets.length > 0;
/** Why a subnet's breakdown could not be computed (not saved: the next load asks again). */
const detailErrors = new Map<string, string>();

function save(): void {
  vscode.setState(state);
}

function post(message: WebviewMessage): void {
  vscode.postMessage(message);
}

// ── form ────────────────────────────────────────────────────────────────────────────────────────────

const DEVICE_KIND: Record<string, string> = { 'local-cpu': 'this machine', 'local-gpu': 'this machine', lut: 'lookup table', roofline: 'catalogue', remote: 'connected' };

function currentSupernet(): SupernetChoice | undefined {
  return state.supernets.find((s) => s.file === state.form.supernet);
}

function formRequest(): PanelRequest {
  const f = state.form;
  const generations = f.generations.trim();
  return {
    supernet: f.supernet,
    device: f.device,
    constraint: f.constraint,
    max: parseLimit(f.constraint, f.limits[f.constraint]) ?? NaN,
    multi: f.multi,
    seed: /^\d+$/.test(f.seed.trim()) ? Number(f.seed.trim()) : NaN,
    generations: generations ? (/^\d+$/.test(generations) ? Number(generations) : NaN) : undefined,
  };
}

function hasLatencyTable(device = state.form.device): boolean {
  return currentSupernet()?.latencyDevices.includes(device) ?? false;
}

/** Why Run cannot run now, or undefined. */
function formProblem(): string | undefined {
  const supernet = currentSupernet();
  if (supernet?.error) return supernet.error;
  const request = formRequest();
  const problem = requestProblem(request);
  if (problem) return problem;
  if (request.constraint !== 'flops' && !hasLatencyTable()) {
    const device = state.devices.find((d) => d.id === request.device)?.name ?? request.device;
    return `No latency table for ${device} with this supernet, so latency and CO₂e cannot be limited: limit FLOPs, or choose a device marked “latency table”.`;
  }
  return undefined;
}

let draftTimer: number | undefined;
function formChanged(rebuild = false): void {
  save();
  window.clearTimeout(draftTimer);
  draftTimer = window.setTimeout(() => {
    const request = formRequest();
    if (!requestProblem(request)) post({ type: 'draft', request });
  }, 400);
  if (rebuild) renderForm();
  else renderStatus();
}

function option(value: string, label: string, selected: boolean, description?: string): HTMLElement {
  const el = h('vscode-option', { value, description, selected }, label);
  return el;
}

function labelled(id: string, label: string, control: HTMLElement, help?: HTMLElement | string): HTMLElement {
  control.id = id;
  return h('div', { class: 'field' }, h('vscode-label', { for: id }, label), control, help ? h('div', { class: 'help' }, help) : null);
}

function renderForm(): void {
  const host = document.getElementById('settings')!;
  clear(host);
  const f = state.form;
  const supernet = currentSupernet();

  const supernetSelect = h('vscode-single-select', { 'aria-label': 'Supernet description' });
  if (state.supernets.length === 0) supernetSelect.append(option('', 'No *.supernet.json in this workspace', true));
  for (const s of state.supernets) supernetSelect.append(option(s.file, s.label, s.file === f.supernet, s.summary));
  supernetSelect.addEventListener('change', () => {
    f.supernet = (supernetSelect as HTMLElement & { value: string }).value;
    // A limit suited to one space means nothing in another: take the engine's defaults for this one.
    applyDefaults();
    formChanged(true);
  });

  const deviceSelect = h('vscode-single-select', { 'aria-label': 'Target device' });
  for (const d of state.devices) {
    const table = supernet?.latencyDevices.includes(d.id);
    deviceSelect.append(option(d.id, d.name, d.id === f.device, `${DEVICE_KIND[d.kind] ?? d.kind} · ${table ? 'latency table' : 'FLOPs only'}`));
  }
  deviceSelect.addEventListener('change', () => {
    f.device = (deviceSelect as HTMLElement & { value: string }).value;
    if (f.constraint !== 'flops' && !hasLatencyTable()) f.constraint = 'flops';
    // Latency on another device is another scale: the middle of this device's range, as the engine chose it.
    const range = supernet?.limits?.latencyMs[f.device];
    if (range) f.limits.latency = formatLimit('latency', range.middle);
    formChanged(true);
  });

  const constraintGroup = h('vscode-radio-group', { 'aria-label': 'What to limit', variant: 'horizontal' });
  const priced = hasLatencyTable();
  for (const [kind, label] of [
    ['latency', 'Latency'],
    ['flops', 'FLOPs'],
    ['co2', 'CO₂e'],
  ] as const) {
    const radio = h('vscode-radio', { name: 'constraint', value: kind, checked: f.constraint === kind, disabled: kind !== 'flops' && !priced }, label);
    radio.addEventListener('change', () => {
      if ((radio as HTMLElement & { checked: boolean }).checked) {
        f.constraint = kind;
        formChanged(true);
      }
    });
    constraintGroup.append(radio);
  }

  const limitField = h('vscode-textfield', { value: f.limits[f.constraint], 'aria-label': `Limit in ${LIMIT_UNITS[f.constraint]}` });
  // The help says how the typed limit reads, so it follows every keystroke.
  const limitHelpText = () => {
    const parsed = parseLimit(f.constraint, f.limits[f.constraint]);
    const limits = supernet?.limits;
    const range = f.constraint === 'flops' ? limits?.flops : f.constraint === 'latency' ? limits?.latencyMs[f.device] : undefined;
    const show = (x: number) => (f.constraint === 'latency' ? formatMs(x) : formatFlops(x));
    const span = range ? ` · subnets span ${show(range.min)} to ${show(range.max)}` : '';
    return `${LIMIT_UNITS[f.constraint]}${parsed !== undefined ? ` · reads as ${f.constraint === 'latency' ? formatMs(parsed) : f.constraint === 'flops' ? formatFlops(parsed) : formatGrams(parsed)}` : ''}${span}`;
  };
  const limitHelp = h('span', {}, limitHelpText());
  limitField.addEventListener('input', () => {
    f.limits[f.constraint] = (limitField as HTMLElement & { value: string }).value;
    limitHelp.textContent = limitHelpText();
    formChanged();
  });

  const objective = h('vscode-radio-group', { 'aria-label': 'Objective', variant: 'vertical' });
  for (const [multi, label] of [
    [false, 'Best subnet under the limit (OFA evolutionary search)'],
    [true, 'Pareto front: accuracy vs cost (NSGA-II)'],
  ] as const) {
    const radio = h('vscode-radio', { name: 'objective', value: String(multi), checked: f.multi === multi }, label);
    radio.addEventListener('change', () => {
      if ((radio as HTMLElement & { checked: boolean }).checked) {
        f.multi = multi;
        formChanged();
      }
    });
    objective.append(radio);
  }

  const seedField = h('vscode-textfield', { value: f.seed, inputmode: 'numeric', 'aria-label': 'Random seed' });
  seedField.addEventListener('input', () => {
    f.seed = (seedField as HTMLElement & { value: string }).value;
    formChanged();
  });
  const generationsField = h('vscode-textfield', { value: f.generations, inputmode: 'numeric', placeholder: f.multi ? '100' : '500', 'aria-label': 'Generations (empty: default)' });
  generationsField.addEventListener('input', () => {
    f.generations = (generationsField as HTMLElement & { value: string }).value;
    formChanged();
  });

  host.append(
    h('h2', { class: 'section-title' }, 'Search'),
    labelled('supernet', 'Supernet', supernetSelect, supernet ? `${supernet.summary}${supernet.hasWeights ? '' : ' · no weights named (Extract asks for them)'}` : undefined),
    labelled('device', 'Target device', deviceSelect),
    h('div', { class: 'field' }, h('vscode-label', {}, 'Limit'), constraintGroup),
    labelled('limit', f.constraint === 'latency' ? 'Max latency' : f.constraint === 'flops' ? 'Max FLOPs' : 'Max CO₂e per inference', limitField, limitHelp),
    h('div', { class: 'field' }, h('vscode-label', {}, 'Objective'), objective),
    h('div', { class: 'row' }, labelled('seed', 'Seed', seedField), labelled('generations', 'Generations', generationsField)),
    h('div', { id: 'status', class: 'status' }),
  );
  renderStatus();
}

// ── run status ──────────────────────────────────────────────────────────────────────────────────────

function renderStatus(): void {
  const host = document.getElementById('status');
  if (!host) return;
  clear(host);
  const run = state.snapshot.run;
  const running = run.status === 'running';
  const problem = running ? undefined : formProblem();
  const runButton = h('vscode-button', { disabled: running || !!problem, 'aria-describedby': problem ? 'form-problem' : undefined }, running ? 'Running…' : 'Run search');
  runButton.addEventListener('click', () => {
    if (formProblem()) return;
    const request = formRequest();
    state.snapshot = { ...state.snapshot, run: { status: 'running' } };
    save();
    renderStatus();
    post({ type: 'run', request });
  });
  const cancelButton = h('vscode-button', { secondary: true, disabled: !running }, 'Cancel');
  cancelButton.addEventListener('click', () => post({ type: 'cancel' }));
  host.append(h('div', { class: 'buttons' }, runButton, cancelButton));

  if (running) {
    const p = run.progress;
    const bar = h('vscode-progress-bar', { 'aria-label': 'Search progress' });
    if (p) Object.assign(bar, { value: p.generation, max: p.generations });
    else Object.assign(bar, { indeterminate: true });
    host.append(
      bar,
      h('p', { class: 'status-text', role: 'status', 'aria-live': 'polite' }, p ? `Generation ${p.generation} of ${p.generations} · best ${formatAccuracy(p.bestAccuracy)} · ${p.evaluated.toLocaleString('en')} subnets evaluated` : 'Starting the search…'),
    );
  } else if (run.status === 'failed') {
    host.append(h('p', { class: 'error', role: 'alert' }, run.message));
  } else if (run.status === 'cancelled') {
    host.append(h('p', { class: 'status-text', role: 'status' }, 'Cancelled. The previous results are still shown.'));
  } else if (state.snapshot.results) {
    const r = state.snapshot.results;
    host.append(h('p', { class: 'status-text', role: 'status' }, `Done: ${r.points.length} subnet${r.points.length === 1 ? '' : 's'} from ${r.evaluated.toLocaleString('en')} evaluated in ${r.seconds.toFixed(1)} s.`));
  }
  if (problem) host.append(h('p', { id: 'form-problem', class: 'problem' }, problem));
}

// ── results: plot, table ────────────────────────────────────────────────────────────────────────────

/** Points on show: the live front while a search runs (if it has one), else the last results. */
function shownPoints(): { points: readonly PanelPoint[]; live: boolean } {
  const run = state.snapshot.run;
  if (run.status === 'running' && run.front?.length) return { points: run.front, live: true };
  return { points: state.snapshot.results?.points ?? [], live: false };
}

function limitOnAxis(): { axis: CostAxis; max: number } | undefined {
  const r = state.snapshot.results;
  const run = state.snapshot.run;
  const request = run.status === 'running' ? formRequest() : r?.request;
  if (!request || !Number.isFinite(request.max)) return undefined;
  return { axis: request.constraint, max: request.max };
}

function renderResults(): void {
  const plotHost = document.getElementById('plot')!;
  const hadFocus = plotHost.contains(document.activeElement);
  clear(plotHost);
  const { points, live } = shownPoints();
  const results = state.snapshot.results;
  if (points.length === 0) {
    plotHost.append(
      h('h2', { class: 'section-title' }, 'Results'),
      h('p', { class: 'empty' }, state.snapshot.run.status === 'running' ? 'The plot fills in as the search finds subnets…' : 'Run a search: its subnets appear here, accuracy against cost.'),
    );
    renderTable([]);
    renderDetails();
    return;
  }
  const axes = availableAxes(points);
  if (!state.axis || !axes.includes(state.axis)) state.axis = axes.includes(limitOnAxis()?.axis ?? 'flops') ? limitOnAxis()!.axis : axes[0];
  const axisSelect = h('vscode-single-select', { id: 'axis', 'aria-label': 'Plot axis' });
  for (const axis of axes) axisSelect.append(option(axis, AXIS_LABELS[axis], axis === state.axis));
  axisSelect.addEventListener('change', () => {
    state.axis = (axisSelect as HTMLElement & { value: string }).value as CostAxis;
    save();
    renderResults();
  });
  const heading = live ? 'Results (live front)' : results?.request.multi ? 'Pareto front' : 'Best subnet';
  const bestKey = live ? undefined : results?.bestKey;
  const plot = renderPlot({ points, axis: state.axis, selected: state.selected, bestKey, limit: limitOnAxis(), live, onSelect: select });
  plotHost.append(
    h('div', { class: 'toolbar' }, h('h2', { class: 'section-title' }, heading), h('div', { class: 'axis-choice' }, h('vscode-label', { for: 'axis' }, 'x axis'), axisSelect)),
    ...(!live && results ? results.notes.map((n) => h('p', { class: 'note' }, n)) : []),
    ...(results && !live ? [h('p', { class: 'meta' }, describeResults())] : []),
    h('div', { class: 'plot-frame' }, plot.svg),
    h('p', { class: 'legend', 'aria-hidden': 'true' }, h('span', { class: 'swatch best' }), ' most accurate  ', h('span', { class: 'swatch point' }), ' subnet  ', h('span', { class: 'swatch limit' }), ' limit'),
  );
  if (hadFocus) plot.focusSelected();
  renderTable(points);
  renderDetails();
}

function describeResults(): string {
  const r = state.snapshot.results!;
  const c = r.constraint;
  const limit = c.kind === 'latency' ? formatMs(c.max) : c.kind === 'flops' ? formatFlops(c.max) : `${formatGrams(c.max)} CO₂e`;
  const supernet = state.supernets.find((s) => s.file === r.request.supernet)?.label ?? r.request.supernet;
  return `${supernet} · ${c.kind === 'flops' ? 'FLOPs' : c.kind === 'co2' ? 'CO₂e' : 'latency'} ≤ ${limit}${r.deviceName ? ` on ${r.deviceName}` : ''} · seed ${r.request.seed}`;
}

function renderTable(points: readonly PanelPoint[]): void {
  const host = document.getElementById('table')!;
  clear(host);
  if (points.length === 0) return;
  const sort = state.sort ?? { column: 'accuracy', descending: true };
  const rows = sortPoints(points, sort);
  const hasLatency = points.some((p) => p.latencyMs !== undefined);
  const hasCo2 = points.some((p) => p.co2eG !== undefined);
  const bestKey = state.snapshot.results?.bestKey;
  const columns: { column?: SortColumn; label: string; numeric?: boolean }[] = [
    { label: '#' },
    { column: 'accuracy', label: 'Accuracy', numeric: true },
    ...(hasLatency ? [{ column: 'latency' as const, label: 'Latency', numeric: true }] : []),
    { column: 'flops', label: 'FLOPs', numeric: true },
    ...(hasCo2 ? [{ column: 'co2' as const, label: 'CO₂e', numeric: true }] : []),
    { column: 'r', label: 'Input', numeric: true },
    { label: 'Depths' },
  ];
  const head = h(
    'tr',
    {},
    ...columns.map((c) => {
      if (!c.column) return h('th', { scope: 'col' }, c.label);
      const active = sort.column === c.column;
      const button = h('button', { class: 'sort', type: 'button', 'aria-label': `Sort by ${c.label}` }, c.label, active ? (sort.descending ? ' ▾' : ' ▴') : '');
      button.addEventListener('click', () => {
        state.sort = nextSort(state.sort ?? sort, c.column!);
        save();
        renderTable(points);
      });
      return h('th', { scope: 'col', class: c.numeric ? 'num' : undefined, 'aria-sort': active ? (sort.descending ? 'descending' : 'ascending') : 'none' }, button);
    }),
  );
  const body = h('tbody');
  rows.forEach((p, i) => {
    const selected = p.key === state.selected;
    const row = h(
      'tr',
      { tabindex: 0, class: `${selected ? 'selected' : ''}${p.key === bestKey ? ' best' : ''}`, 'aria-selected': selected ? 'true' : 'false', 'data-key': p.key },
      h('td', {}, String(i + 1), state.snapshot.extracted[p.key] ? h('span', { class: 'extracted-mark', title: `extracted to ${state.snapshot.extracted[p.key].dir}`, 'aria-label': 'extracted' }, ' ⤓') : null),
      h('td', { class: 'num' }, formatAccuracy(p.accuracy), p.key === bestKey ? h('span', { class: 'best-mark', title: 'most accurate' }, ' ★') : null),
      hasLatency ? h('td', { class: 'num' }, formatCost('latency', p.latencyMs)) : null,
      h('td', { class: 'num' }, formatCost('flops', p.flops)),
      hasCo2 ? h('td', { class: 'num' }, formatCost('co2', p.co2eG)) : null,
      h('td', { class: 'num' }, String(p.arch.r)),
      h('td', {}, p.arch.d.join('-')),
    );
    row.addEventListener('click', () => select(p.key));
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        select(p.key);
      } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        ((event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling) as HTMLElement | null)?.focus();
      }
    });
    body.append(row);
  });
  host.append(
    h('h2', { class: 'section-title', id: 'table-title' }, `Subnets (${points.length})`),
    h('div', { class: 'table-frame' }, h('table', { class: 'results', 'aria-labelledby': 'table-title' }, h('thead', {}, head), body)),
  );
}

function select(key: string): void {
  const tableHadFocus = document.getElementById('table')!.contains(document.activeElement);
  state.selected = key;
  save();
  if (!state.details[key]) post({ type: 'details', key });
  renderResults();
  if (tableHadFocus) (document.querySelector(`#table tr[data-key="${CSS.escape(key)}"]`) as HTMLElement | null)?.focus();
}

// ── details of the selected subnet ─────────────────────────────────────────────────────────────────

function renderDetails(): void {
  const host = document.getElementById('details')!;
  clear(host);
  const { points } = shownPoints();
  const point = points.find((p) => p.key === state.selected);
  if (!point) {
    if (points.length) host.append(h('h2', { class: 'section-title' }, 'Subnet'), h('p', { class: 'empty' }, 'Click a point or a row (or Tab to the plot and use the arrow keys) to see a subnet.'));
    return;
  }
  const details = state.details[point.key];
  const extraction = state.snapshot.extracted[point.key];
  const action = state.actions[point.key];
  const best = point.key === state.snapshot.results?.bestKey;

  const facts = h('dl', { class: 'facts' });
  const fact = (term: string, value: string) => facts.append(h('dt', {}, term), h('dd', {}, value));
  const deviceName = state.snapshot.results?.deviceName;
  const predicted = details?.predicted;
  // The engine's estimate repeats the search's figure when both read the same table; show it only when it adds something.
  const samePrediction = predicted && point.latencyMs !== undefined && Math.abs(predicted.ms - point.latencyMs) <= 0.01 * point.latencyMs;
  // The predictor's own measured error beside its figure: a prediction is not a measurement.
  const error = state.snapshot.results?.accuracyError;
  fact('Predicted accuracy', `${formatAccuracy(point.accuracy)}${error ? ` ± ${formatPoints(error.rmse, point.accuracy)}` : ''}`);
  if (error) facts.lastElementChild?.setAttribute('title', `± the accuracy predictor's RMSE on ${error.heldOut.toLocaleString('en')} held-out subnets`);
  if (point.latencyMs !== undefined) fact(deviceName ? `Latency on ${deviceName}` : 'Latency', `${formatMs(point.latencyMs)}${samePrediction ? ` · ${predicted!.source}` : ''}`);
  fact('FLOPs', `${formatOps(point.flops)} (${formatMacs(point.macs)})`);
  if (point.co2eG !== undefined) fact('CO₂e per inference', formatGrams(point.co2eG));
  fact('Input', `${point.arch.r}×${point.arch.r}`);
  if (details) fact('Params', formatParams(details.totals.params));
  if (predicted && !samePrediction) fact(`Estimate on ${predicted.device}`, `${formatMs(predicted.ms)} · ${predicted.source}`);

  const children: (HTMLElement | null)[] = [h('h2', { class: 'section-title' }, best ? 'Most accurate subnet' : 'Subnet'), facts];
  if (details) children.push(stageTable(details));
  else if (detailErrors.has(point.key)) children.push(h('p', { class: 'error', role: 'alert' }, `No breakdown: ${detailErrors.get(point.key)}`));
  else children.push(h('p', { class: 'empty' }, 'Counting this subnet’s stages…'));

  const archText = JSON.stringify({ ks: point.arch.ks, e: point.arch.e, d: point.arch.d, r: point.arch.r });
  const archBlock = h('vscode-collapsible', { heading: 'Arch (OFA format)', class: 'arch' }, h('pre', { class: 'arch-json', tabindex: 0 }, archText));
  children.push(archBlock);

  const extractButton = h('vscode-button', { disabled: action && !action.failed }, extraction ? 'Extract again…' : 'Extract…');
  extractButton.addEventListener('click', () => {
    state.actions[point.key] = { what: 'extract', message: 'Choosing where to write the subnet…' };
    save();
    renderDetails();
    post({ type: 'extract', key: point.key });
  });
  const targetSelect = h('vscode-single-select', { id: 'measure-target', 'aria-label': 'Where to measure' });
  const target = state.measureTarget && state.targets.some((t) => t.id === state.measureTarget) ? state.measureTarget : state.targets[0]?.id;
  for (const t of state.targets) targetSelect.append(option(t.id, t.label, t.id === target));
  targetSelect.addEventListener('change', () => {
    state.measureTarget = (targetSelect as HTMLElement & { value: string }).value;
    save();
  });
  const measureButton = h('vscode-button', { secondary: true, disabled: (action && !action.failed) || !target }, 'Measure');
  measureButton.addEventListener('click', () => {
    const chosen = state.measureTarget ?? target;
    if (!chosen) return;
    state.actions[point.key] = { what: 'measure', message: 'Measuring…' };
    save();
    renderDetails();
    post({ type: 'measure', key: point.key, target: chosen });
  });
  children.push(h('div', { class: 'actions' }, extractButton, h('div', { class: 'measure' }, h('vscode-label', { for: 'measure-target' }, 'Measure on'), targetSelect, measureButton)));
  if (action) children.push(h('p', { class: action.failed ? 'error' : 'status-text', role: action.failed ? 'alert' : 'status' }, action.message));
  if (extraction) children.push(extractionBlock(extraction));
  const measurements = state.snapshot.measurements[point.key] ?? [];
  if (measurements.length) children.push(measurementsBlock(measurements));
  host.append(...children.filter((c): c is HTMLElement => c !== null));
}

function stageTable(details: PointDetails): HTMLElement {
  const total = details.totals.macs || 1;
  const row = (label: string, title: string, depth: string, kernels: string, expands: string, macs: number) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row', title }, label),
      h('td', { class: 'num' }, depth),
      h('td', {}, kernels),
      h('td', {}, expands),
      h('td', { class: 'num' }, formatOps(macs)),
      h('td', { class: 'share' }, h('meter', { min: 0, max: 1, value: (macs / total).toFixed(4), 'aria-label': `${((100 * macs) / total).toFixed(1)} % of the MACs` }), ` ${((100 * macs) / total).toFixed(0)} %`),
    );
  return h(
    'div',
    { class: 'table-frame' },
    h(
      'table',
      { class: 'stages', 'aria-label': 'Per-stage breakdown' },
      h('caption', { class: 'meta' }, 'Kernel size and expand ratio of each active block; ↓ a stage that halves the resolution (stride 2).'),
      h('thead', {}, h('tr', {}, ...(['Stage', 'Depth#', 'Kernels', 'Expand', 'MACs#', 'Share'] as const).map((c) => h('th', { scope: 'col', class: c.endsWith('#') ? 'num' : undefined }, c.replace('#', ''))))),
      h(
        'tbody',
        {},
        row('stem', 'first conv and first block (fixed)', '', '', '', details.stem.macs),
        ...details.stages.map((s) => row(`${s.stage}${s.stride === 2 ? ' ↓' : ''}`, `stage ${s.stage}: ${s.width} channels, stride ${s.stride}, ${formatParams(s.params)} params`, String(s.depth), s.kernels.join(' '), s.expands.join(' '), s.macs)),
        row('head', 'final expand, feature mix and classifier (fixed)', '', '', '', details.head.macs),
      ),
    ),
  );
}

function fileButton(file: string, label: string): HTMLElement {
  const button = h('button', { class: 'link', type: 'button', title: file }, label);
  button.addEventListener('click', () => post({ type: 'open', path: file }));
  return button;
}

function extractionBlock(extraction: { dir: string; files: readonly string[]; params: number }): HTMLElement {
  const reveal = h('button', { class: 'link', type: 'button' }, 'Reveal in Explorer');
  reveal.addEventListener('click', () => post({ type: 'reveal', path: extraction.files[0] ?? extraction.dir }));
  const relative = (f: string) => (f.startsWith(extraction.dir) ? f.slice(extraction.dir.length + 1) : f);
  return h(
    'div',
    { class: 'extraction' },
    h('h3', {}, 'Extracted'),
    h('p', { class: 'path' }, extraction.dir, ' · ', reveal),
    h('ul', { class: 'files' }, ...extraction.files.map((f) => h('li', {}, relative(f).endsWith('.bin') || relative(f).endsWith('.safetensors') ? relative(f) : fileButton(f, relative(f))))),
    h('p', { class: 'meta' }, `${formatParams(extraction.params)} params`),
  );
}

function measurementsBlock(measurements: readonly TargetMeasurementView[]): HTMLElement {
  const item = (m: TargetMeasurementView) => {
    const spread = m.p10Ms !== undefined && m.p90Ms !== undefined ? `p10 ${formatMs(m.p10Ms)} · p90 ${formatMs(m.p90Ms)} · ${m.runs} runs` : `${m.runs} runs`;
    const versus =
      m.predictedMs !== undefined
        ? `Predicted ${formatMs(m.predictedMs)} (${m.predictedSource}): measured ${(m.medianMs / m.predictedMs).toFixed(2)}× the prediction.`
        : 'No prediction for this device to compare with (calibrate this machine or build a latency table).';
    return h(
      'li',
      {},
      h('div', {}, h('strong', {}, formatMs(m.medianMs)), ` median on ${m.target}`, h('span', { class: 'meta' }, ` · ${spread}`)),
      h('div', { class: 'meta' }, m.backend),
      h('div', {}, versus),
      ...m.notes.map((n) => h('div', { class: 'note' }, n)),
    );
  };
  return h('div', { class: 'measurements' }, h('h3', {}, 'Measured'), h('ul', {}, ...measurements.map(item)));
}

// ── GPU measurement in this page ─────────────────────────────────────────────────────────────────────

let gpuScript: Promise<void> | undefined;
function loadGpuScript(): Promise<void> {
  gpuScript ??= new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.nonce = scriptNonce;
    script.src = app.dataset.gpuScript!;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('could not load the TF.js GPU script'));
    document.body.append(script);
  });
  return gpuScript;
}

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return Uint8Array.from(value as number[]);
  if (value && typeof value === 'object') return Uint8Array.from(Object.values(value as Record<string, number>));
  throw new Error('the model weights arrived in an unexpected form');
}

async function measureGpu(message: Extract<HostMessage, { type: 'gpuMeasure' }>): Promise<void> {
  try {
    await loadGpuScript();
    const gpu = (window as unknown as { greenprintGpu?: { measure(r: unknown): Promise<GpuMeasurement> } }).greenprintGpu;
    if (!gpu) throw new Error('the TF.js GPU script did not start');
    const shards = Object.fromEntries(Object.entries(message.shards).map(([k, v]) => [k, asBytes(v)]));
    const result = await gpu.measure({ modelJson: message.modelJson, shards, runs: message.runs, warmup: message.warmup });
    post({ type: 'gpuMeasured', id: message.id, result });
  } catch (e) {
    post({ type: 'gpuMeasured', id: message.id, error: (e as Error).message });
  }
}

/** New output (where files went, a measurement) scrolled into view, which a narrow panel may hide below the plot. */
function revealInDetails(selector: string): void {
  document.querySelector(`#details ${selector}`)?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

// ── messages from the host ─────────────────────────────────────────────────────────────────────────

/**
 * The form set to the engine's defaults for the chosen supernet (supernet/targets.ts): its device and
 * limit, and the middle of the FLOPs and latency ranges for when the user switches what to limit.
 */
function applyDefaults(): void {
  const limits = currentSupernet()?.limits;
  if (!limits) return;
  const f = state.form;
  const d = limits.defaults;
  if (state.devices.some((x) => x.id === d.device)) f.device = d.device;
  f.constraint = d.constraint;
  const latency = limits.latencyMs[f.device];
  f.limits = { ...DEFAULT_LIMITS, flops: formatLimit('flops', limits.flops.middle), ...(latency ? { latency: formatLimit('latency', latency.middle) } : {}) };
  f.limits[d.constraint] = formatLimit(d.constraint, d.max);
}

function applyInit(message: Extract<HostMessage, { type: 'init' }>): void {
  state.supernets = [...message.supernets];
  state.devices = [...message.devices];
  state.targets = [...message.targets];
  state.snapshot = message.snapshot;
  const f = state.form;
  const fromHost = message.snapshot.request;
  if (!initialised && fromHost) {
    Object.assign(f, { supernet: fromHost.supernet, device: fromHost.device, constraint: fromHost.constraint, multi: fromHost.multi, seed: String(fromHost.seed), generations: fromHost.generations ? String(fromHost.generations) : '' });
    f.limits = { ...DEFAULT_LIMITS, [fromHost.constraint]: String(fromHost.max) };
  }
  const before = f.supernet;
  if (message.focus) f.supernet = message.focus;
  if (!state.supernets.some((s) => s.file === f.supernet)) f.supernet = state.supernets.find((s) => !s.error)?.file ?? '';
  if (!state.devices.some((d) => d.id === f.device)) f.device = state.devices[0]?.id ?? '';
  // First visit, or another supernet than the form had: the engine's defaults for it (a device that prices
  // it, a limit inside its range).
  if ((!initialised && !fromHost) || (before && f.supernet !== before)) applyDefaults();
  const keys = new Set([...(message.snapshot.results?.points ?? []), ...(message.snapshot.run.status === 'running' ? (message.snapshot.run.front ?? []) : [])].map((p) => p.key));
  if (state.selected && !keys.has(state.selected)) state.selected = undefined;
  if (!state.selected && message.snapshot.results) state.selected = message.snapshot.results.bestKey;
  if (state.selected && !state.details[state.selected]) post({ type: 'details', key: state.selected });
  initialised = true;
  save();
  renderForm();
  renderResults();
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      applyInit(message);
      return;
    case 'run': {
      const before = state.snapshot.run;
      state.snapshot = { ...state.snapshot, run: message.run };
      save();
      renderStatus();
      const frontChanged = message.run.status === 'running' && before.status === 'running' ? message.run.front !== before.front && JSON.stringify(message.run.front?.map((p) => p.key)) !== JSON.stringify(before.front?.map((p) => p.key)) : true;
      if (frontChanged) renderResults();
      return;
    }
    case 'results': {
      state.snapshot = { ...state.snapshot, results: message.results };
      state.details = {};
      if (!state.selected || !message.results.points.some((p) => p.key === state.selected)) state.selected = message.results.bestKey;
      post({ type: 'details', key: state.selected });
      save();
      renderStatus();
      renderResults();
      return;
    }
    case 'details':
      state.details[message.details.key] = message.details;
      save();
      if (message.details.key === state.selected) renderDetails();
      return;
    case 'detailsFailed':
      detailErrors.set(message.key, message.message);
      if (message.key === state.selected) renderDetails();
      return;
    case 'busy':
      state.actions[message.key] = { what: message.what, message: message.message ?? (message.what === 'extract' ? 'Extracting…' : 'Measuring…') };
      renderDetails();
      return;
    case 'extracted':
      delete state.actions[message.key];
      state.snapshot = { ...state.snapshot, extracted: { ...state.snapshot.extracted, [message.key]: message.extraction } };
      save();
      renderResults();
      revealInDetails('.extraction');
      return;
    case 'measured':
      delete state.actions[message.key];
      state.snapshot = { ...state.snapshot, measurements: { ...state.snapshot.measurements, [message.key]: [message.measurement, ...(state.snapshot.measurements[message.key] ?? [])] } };
      save();
      renderDetails();
      revealInDetails('.measurements li');
      return;
    case 'actionFailed':
      state.actions[message.key] = { what: message.what, message: `${message.what === 'extract' ? 'Extraction' : 'Measurement'} failed: ${message.message}`, failed: true };
      save();
      renderDetails();
      return;
    case 'actionCancelled':
      delete state.actions[message.key];
      save();
      renderDetails();
      return;
    case 'gpuMeasure':
      void measureGpu(message);
      return;
  }
});

// ── page skeleton ───────────────────────────────────────────────────────────────────────────────────

clear(app);
app.append(
  h('header', { class: 'title' }, h('h1', {}, 'Greenprint'), h('span', { class: 'subtitle' }, 'subnet search, extraction and measurement')),
  h('section', { id: 'settings', class: 'card settings', 'aria-label': 'Search settings' }),
  h('section', { id: 'plot', class: 'card plot-card', 'aria-label': 'Results plot' }),
  h('section', { id: 'details', class: 'card details-card', 'aria-label': 'Selected subnet' }),
  h('section', { id: 'table', class: 'card table-card', 'aria-label': 'Results table' }),
);
if (initialised) {
  renderForm();
  renderResults();
}
post({ type: 'ready' });
