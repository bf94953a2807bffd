/**
 * The panel's HTML shell. Everything it loads comes from the extension's own files through the webview's
 * resource origin; the Content-Security-Policy allows nothing else: no remote hosts, no inline script (the
 * two scripts carry a per-load nonce), no inline styles, images only from the extension or `data:`.
 * Pure string building, so tests check the policy without VS Code.
 */
import { randomBytes } from 'node:crypto';

export interface PanelHtmlParts {
  /** `webview.cspSource`: the origin the webview serves the extension's files from. */
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  /** TF.js for GPU measurement, loaded by the page only when asked to measure. */
  readonly gpuScriptUri: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

/** Text for an HTML attribute value (the pages' URIs and nonce). */
export const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function panelHtml(parts: PanelHtmlParts): string {
  const { nonce } = parts;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(parts.cspSource, nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeAttr(parts.styleUri)}">
  <title>Greenprint</title>
</head>
<body>
  <main id="app" data-gpu-script="${escapeAttr(parts.gpuScriptUri)}">
    <p class="loading">Loading the Greenprint panel…</p>
  </main>
  <script nonce="${escapeAttr(nonce)}" src="${escapeAttr(parts.scriptUri)}"></script>
</body>
</html>`;
}
