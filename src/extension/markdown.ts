/**
 * Text from model files inside the Markdown the editor renders (hovers, tooltips, CodeLens-free summaries).
 * Layer names such as `model.layers.* norms`, `conv_1`, `x|y` or `<unk>` are data, never markup: every name,
 * message and source sentence goes through `escapeMarkdown` before it meets Markdown. No vscode import.
 *
 * Escaping follows CommonMark §2.4 (a backslash before any ASCII punctuation makes it literal): we escape
 * the characters that open emphasis, code, links, HTML, headings, strikethrough and entities, and the GFM
 * table pipe. Line breaks become spaces so a name cannot end a table row or start a list.
 */

const SPECIAL = /[\\`*_[\]<>|~#&]/g;

/** `model.layers.* norms` → `model.layers.\* norms`: renders literally in any Markdown context. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r\n?|\n/g, ' ').replace(SPECIAL, (c) => `\\${c}`);
}

/** A GFM table row; every cell is data and is escaped (pipes included). */
export function mdRow(cells: readonly string[]): string {
  return `| ${cells.map(escapeMarkdown).join(' | ')} |`;
}

/** A GFM table: header, alignment row (`'l'` left, `'r'` right) and rows, one string. */
export function mdTable(header: readonly string[], align: readonly ('l' | 'r')[], rows: readonly (readonly string[])[]): string {
  return [mdRow(header), `| ${align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`, ...rows.map(mdRow)].join('\n');
}
