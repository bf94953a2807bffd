/**
 * Renders hover Markdown to HTML with marked, the renderer VS Code's own hovers use (it comes with
 * @vscode/vsce, a dev dependency). Undefined where it is not installed: tests that need it skip.
 */
interface Marked {
  parse(markdown: string, options?: { async: false }): string;
}

let cached: Marked | null | undefined;

export function markdownRenderer(): Marked | undefined {
  if (cached === undefined) {
    try {
      // marked is ESM-only; Node 20.19+ loads it with require. Typed here, not imported, for the CommonJS build.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      cached = (require('marked') as { marked: Marked }).marked;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}

/** The text a reader sees: tags dropped, the few entities marked writes decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
