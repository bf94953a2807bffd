/**
 * The Model View's per-layer table as data: which rows a filter keeps, in which order, and which page of
 * them the page draws. Pure (no DOM, no vscode), shared by the webview bundle and the unit tests.
 *
 * Defaults: the heaviest layers first — MACs descending, then parameters descending (header-only formats
 * such as GGUF and safetensors have parameters but no MACs per tensor), then file order. Pages of 200 rows,
 * so a 10,000-node ONNX graph draws 200 rows at a time and a keystroke in the filter re-sorts numbers, not
 * DOM. The filter matches every whitespace-separated word, case-insensitively, against name, op type and
 * detail: `conv stage3` keeps Conv nodes whose name mentions stage3.
 * Cell strings are formatted by the host with the engine's formatters; this module only orders them.
 */

export type ColumnId = 'index' | 'name' | 'type' | 'shape' | 'params' | 'macs' | 'flops' | 'activation' | 'latency';
export type SortOrder = 'asc' | 'desc';

export interface ModelRow {
  /** Position in the file's own order (0-based). */
  readonly index: number;
  readonly name: string;
  readonly type: string;
  readonly detail?: string;
  readonly shape: string;
  readonly params: number;
  readonly macs: number;
  readonly flops: number;
  readonly activationBytes: number;
  /** Absent when the latency method gives no per-layer figure. */
  readonly latencyMs?: number;
  /** Display strings per numeric column, formatted by the host. */
  readonly cells: { readonly params: string; readonly macs: string; readonly flops: string; readonly activation: string; readonly latency: string };
}

export interface TableView {
  readonly sort: ColumnId;
  readonly order: SortOrder;
  readonly filter: string;
  /** 0-based. */
  readonly page: number;
}

export const PAGE_SIZE = 200;

export const COLUMNS: readonly { readonly id: ColumnId; readonly label: string; readonly numeric: boolean }[] = [
  { id: 'index', label: '#', numeric: true },
  { id: 'name', label: 'Name', numeric: false },
  { id: 'type', label: 'Op', numeric: false },
  { id: 'shape', label: 'Output', numeric: false },
  { id: 'params', label: 'Params', numeric: true },
  { id: 'macs', label: 'MACs', numeric: true },
  { id: 'flops', label: 'FLOPs', numeric: true },
  { id: 'activation', label: 'Activations', numeric: true },
  { id: 'latency', label: 'Latency', numeric: true },
];

export function defaultView(): TableView {
  return { sort: 'macs', order: 'desc', filter: '', page: 0 };
}

/** Clicking a column: the same column flips its order; a new one starts descending for numbers (heaviest first). */
export function nextSort(view: TableView, column: ColumnId): TableView {
  if (view.sort === column) return { ...view, order: view.order === 'asc' ? 'desc' : 'asc', page: 0 };
  const numeric = COLUMNS.find((c) => c.id === column)?.numeric ?? false;
  return { ...view, sort: column, order: numeric && column !== 'index' ? 'desc' : 'asc', page: 0 };
}

export function filterRows(rows: readonly ModelRow[], filter: string): ModelRow[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return rows.slice();
  return rows.filter((row) => {
    const haystack = `${row.name}\n${row.type}\n${row.detail ?? ''}`.toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

function numberOf(row: ModelRow, column: ColumnId): number | undefined {
  switch (column) {
    case 'index': return row.index;
    case 'params': return row.params;
    case 'macs': return row.macs;
    case 'flops': return row.flops;
    case 'activation': return row.activationBytes;
    case 'latency': return row.latencyMs;
    default: return undefined;
  }
}

function textOf(row: ModelRow, column: ColumnId): string {
  return column === 'name' ? row.name : column === 'type' ? row.type : row.shape;
}

/**
 * Rows in the view's order. Missing numbers (a layer without a latency) go last in either order; ties fall
 * back to MACs, then params (descending), then file order, so the order never depends on the sort algorithm.
 */
export function sortRows(rows: readonly ModelRow[], column: ColumnId, order: SortOrder): ModelRow[] {
  const sign = order === 'asc' ? 1 : -1;
  const numeric = COLUMNS.find((c) => c.id === column)?.numeric ?? false;
  const tieBreak = (a: ModelRow, b: ModelRow) => b.macs - a.macs || b.params - a.params || a.index - b.index;
  return rows.slice().sort((a, b) => {
    if (numeric) {
      const x = numberOf(a, column);
      const y = numberOf(b, column);
      if (x === undefined || y === undefined) return x === y ? tieBreak(a, b) : x === undefined ? 1 : -1;
      return sign * (x - y) || tieBreak(a, b);
    }
    return sign * textOf(a, column).localeCompare(textOf(b, column), undefined, { numeric: true, sensitivity: 'base' }) || tieBreak(a, b);
  });
}

export interface TablePage {
  readonly rows: readonly ModelRow[];
  /** Rows the filter kept (all pages). */
  readonly matched: number;
  readonly page: number;
  readonly pages: number;
  /** 0-based index of the page's first row among the matched ones. */
  readonly first: number;
}

/** The page the view asks for, clamped to the pages that exist (a filter can shrink them). */
export function tablePage(rows: readonly ModelRow[], view: TableView, pageSize = PAGE_SIZE): TablePage {
  const kept = sortRows(filterRows(rows, view.filter), view.sort, view.order);
  const pages = Math.max(1, Math.ceil(kept.length / pageSize));
  const page = Math.min(Math.max(0, view.page), pages - 1);
  const first = page * pageSize;
  return { rows: kept.slice(first, first + pageSize), matched: kept.length, page, pages, first };
}
