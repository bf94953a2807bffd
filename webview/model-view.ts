/**
 * The Greenprint Model View's page (bundled to dist/webview/model-view.js). It draws what the host sends
 * (src/extension/model-view/protocol.ts): totals, latency and CO2e on the target device, notes, diagnostics
 * and the per-layer table, which it orders, filters and pages with table-model.ts — one page of rows in the
 * DOM at a time, so a 10,000-node graph stays responsive. Sort, filter and page live in `vscode.setState`, so
 * a view that was hidden comes back as it was. It computes nothing about the model and builds DOM without
 * innerHTML (dom.ts): names from the file are text, never markup.
 *
 * "Measure on the GPU (WebGPU)" loads a second script only when clicked (dist/webview/ort-gpu-measure.js:
 * onnxruntime-web's WebGPU provider, its WebAssembly fetched from the URL in `data-ort-wasm`), asks it for a
 * WebGPU adapter — reporting to the host why there is none — and runs the model the host then sends.
 */
import type { GpuMeasureJob, ModelViewHostMessage, ModelViewPageMessage, ModelViewSnapshot, ModelViewFigure, OrtGpuMeasurement } from '../src/extension/model-view/protocol';
import { COLUMNS, defaultView, nextSort, tablePage, type ColumnId, type ModelRow, type TableView } from '../src/extension/model-view/table-model';
import { clear, h } from './dom';

interface VsCodeApi {
  postMessage(message: ModelViewPageMessage): void;
  getState(): TableView | undefined;
  setState(state: TableView): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;
const scriptNonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';
let view: TableView = { ...defaultView(), ...vscode.getState() };
let snapshot: ModelViewSnapshot | undefined;

function setView(next: TableView): void {
  view = next;
  vscode.setState(view);
  renderTable();
}

function figures(list: readonly ModelViewFigure[], className: string): HTMLElement {
  return h('dl', { class: className }, ...list.map((f) => h('div', { class: 'figure', title: f.title }, h('dt', {}, f.label), h('dd', {}, f.value))));
}

function cell(row: ModelRow, column: ColumnId): string {
  switch (column) {
    case 'index': return String(row.index + 1);
    case 'name': return row.name;
    case 'type': return row.type;
    case 'shape': return row.shape;
    case 'activation': return row.cells.activation;
    default: return row.cells[column];
  }
}

// The filter field is built once, so typing in it never loses focus or the caret when the rows redraw.
const filterInput = h('input', {
  type: 'search',
  class: 'filter',
  placeholder: 'Filter by name or op (all words must match)',
  'aria-label': 'Filter layers by name or op',
  value: view.filter,
  oninput: (e: Event) => setView({ ...view, filter: (e.target as HTMLInputElement).value, page: 0 }),
});
const pagerHost = h('div', { class: 'pager' });
const tableBox = h('div', { class: 'table-box' });
const tableHost = h('section', { class: 'layers', 'aria-label': 'Layers' }, h('div', { class: 'table-tools' }, filterInput, pagerHost), tableBox);

function renderTable(): void {
  clear(pagerHost);
  clear(tableBox);
  if (!snapshot) return;
  const page = tablePage(snapshot.rows, view);
  pagerHost.append(
    h('span', { class: 'matched' }, `${page.matched.toLocaleString('en-US')} of ${snapshot.rows.length.toLocaleString('en-US')} layers`),
    h('button', { type: 'button', disabled: page.page === 0, onclick: () => setView({ ...view, page: page.page - 1 }) }, '‹ Previous'),
    h('span', { class: 'page' }, `page ${page.page + 1} / ${page.pages}`),
    h('button', { type: 'button', disabled: page.page >= page.pages - 1, onclick: () => setView({ ...view, page: page.page + 1 }) }, 'Next ›'),
  );
  const headers = COLUMNS.map((c) => {
    const sorted = view.sort === c.id;
    return h(
      'th',
      { scope: 'col', class: c.numeric ? 'num' : undefined, 'aria-sort': sorted ? (view.order === 'asc' ? 'ascending' : 'descending') : 'none' },
      h('button', { type: 'button', class: 'sort', onclick: () => setView(nextSort(view, c.id)) }, c.label, sorted ? (view.order === 'asc' ? ' ▲' : ' ▼') : ''),
    );
  });
  const body = page.rows.map((row) =>
    h('tr', { title: row.detail }, ...COLUMNS.map((c) => h('td', { class: c.numeric ? 'num' : c.id }, cell(row, c.id)))),
  );
  tableBox.append(h('table', {}, h('thead', {}, h('tr', {}, ...headers)), h('tbody', {}, ...body)));
}

// ── WebGPU measurement in this page ──────────────────────────────────────────────────────────────────────

interface OrtGpuScript {
  measure(job: GpuMeasureJob, wasmUrl: string): Promise<OrtGpuMeasurement>;
  adapter(): Promise<{ adapter?: string; unavailable?: string }>;
}

let gpuScript: Promise<OrtGpuScript> | undefined;
function loadGpuScript(): Promise<OrtGpuScript> {
  gpuScript ??= new Promise<OrtGpuScript>((resolve, reject) => {
    const script = document.createElement('script');
    script.nonce = scriptNonce;
    script.src = app.dataset.ortScript!;
    script.onload = () => {
      const api = (window as unknown as { greenprintOrtGpu?: OrtGpuScript }).greenprintOrtGpu;
      if (api) resolve(api);
      else reject(new Error('the ONNX Runtime WebGPU script did not start'));
    };
    script.onerror = () => reject(new Error('could not load the ONNX Runtime WebGPU script'));
    document.body.append(script);
  });
  gpuScript.catch(() => (gpuScript = undefined));
  return gpuScript;
}

let gpuChecking = false;
async function startGpuMeasure(): Promise<void> {
  gpuChecking = true;
  render();
  try {
    const { unavailable } = await (await loadGpuScript()).adapter();
    vscode.postMessage({ kind: 'measureGpu', unavailable });
  } catch (e) {
    vscode.postMessage({ kind: 'measureGpu', unavailable: (e as Error).message });
  } finally {
    gpuChecking = false;
  }
}

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new Error('the model bytes arrived in an unexpected form');
}

async function runGpuMeasure(job: GpuMeasureJob): Promise<void> {
  try {
    const api = await loadGpuScript();
    const result = await api.measure({ ...job, model: asBytes(job.model), externalData: job.externalData.map((e) => ({ path: e.path, data: asBytes(e.data) })) }, app.dataset.ortWasm!);
    vscode.postMessage({ kind: 'gpuMeasured', id: job.id, result });
  } catch (e) {
    vscode.postMessage({ kind: 'gpuMeasured', id: job.id, error: (e as Error).message || String(e) });
  }
}

function gpuButton(s: ModelViewSnapshot): HTMLElement {
  const busy = gpuChecking || !!s.gpuMeasuring;
  const failed = !busy && s.gpuError;
  return h(
    'button',
    {
      type: 'button',
      class: 'measure-gpu',
      disabled: busy,
      onclick: () => void startGpuMeasure(),
      title: failed ? `Last try: ${s.gpuError}` : 'Time this model in ONNX Runtime Web\'s WebGPU execution provider, inside this editor',
    },
    busy ? 'Measuring on the GPU…' : failed ? 'Measure on the GPU (WebGPU) — failed, retry' : 'Measure on the GPU (WebGPU)',
  );
}

function render(): void {
  if (!snapshot) return;
  const focusedFilter = document.activeElement === filterInput;
  clear(app);
  const s = snapshot;
  app.classList.toggle('busy', s.busy);
  const parts: (HTMLElement | null)[] = [
    h(
      'header',
      {},
      h('h1', {}, s.title),
      h('p', { class: 'file' }, s.file),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => vscode.postMessage({ kind: 'selectDevice' }), title: 'Choose the target device for latency and CO2e' }, `Target: ${s.device}`),
        h('button', { type: 'button', onclick: () => vscode.postMessage({ kind: 'showReport' }) }, 'Text report'),
        s.measurable
          ? h('button', { type: 'button', class: 'measure', disabled: !!s.measuring, onclick: () => vscode.postMessage({ kind: 'measure' }), title: 'Time this model as it is in ONNX Runtime on this machine' }, s.measuring ? 'Measuring…' : 'Measure on this machine')
          : null,
        s.measurable ? gpuButton(s) : null,
      ),
      s.measurable && s.gpuError && !s.gpuMeasuring ? h('p', { class: 'gpu-error', role: 'status' }, `WebGPU measurement: ${s.gpuError}`) : null,
    ),
    s.busy && !s.rows.length ? h('p', { class: 'loading' }, 'Reading the model…') : null,
    s.totals.length ? figures(s.totals, 'totals') : null,
    s.efficiency.length ? figures(s.efficiency, 'efficiency') : null,
    s.diagnostics.length ? h('ul', { class: 'diagnostics' }, ...s.diagnostics.map((d) => h('li', { class: d.severity }, d.message))) : null,
    s.notes.length ? h('ul', { class: 'notes' }, ...s.notes.map((n) => h('li', {}, n))) : null,
    tableHost,
  ];
  for (const part of parts) if (part) app.append(part);
  renderTable();
  if (focusedFilter) filterInput.focus();
}

window.addEventListener('message', (event: MessageEvent<ModelViewHostMessage>) => {
  if (event.data?.kind === 'gpuMeasure') return void runGpuMeasure(event.data);
  if (event.data?.kind !== 'snapshot') return;
  // While a new analysis runs (settings changed), keep drawing the previous figures, greyed.
  snapshot = event.data.snapshot.busy && snapshot ? { ...snapshot, busy: true } : event.data.snapshot;
  render();
});

vscode.postMessage({ kind: 'ready' });
