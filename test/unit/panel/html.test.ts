/** The panel page's shell: a policy that allows only the extension's own files and the nonce'd script. */
import assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, panelHtml } from '../../../src/extension/panel/html';

describe('panel html', () => {
  const source = 'https://file+.vscode-resource.vscode-cdn.net';
  const nonce = makeNonce();
  const html = panelHtml({ cspSource: source, nonce, scriptUri: `${source}/ext/dist/webview/panel.js`, styleUri: `${source}/ext/media/panel.css`, gpuScriptUri: `${source}/ext/dist/webview/gpu-measure.js` });

  it('locks the page down: nothing by default, scripts by nonce, styles and images from the extension only', () => {
    const csp = contentSecurityPolicy(source, nonce);
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    assert.deepEqual(directives['default-src'], ["'none'"]);
    assert.deepEqual(directives['script-src'], [`'nonce-${nonce}'`]);
    assert.deepEqual(directives['style-src'], [source]);
    assert.deepEqual(directives['img-src'], [source, 'data:']);
    assert.doesNotMatch(csp, /unsafe-(inline|eval)|\*/);
    assert.ok(html.includes(`content="${csp.replace(/'/g, "'")}"`), 'the policy is in the page');
  });

  it('loads exactly one script, with the nonce, and no inline code or styles', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0][1], new RegExp(`nonce="${nonce}"`));
    assert.equal(scripts[0][2].trim(), '', 'no inline script');
    assert.doesNotMatch(html, /<style|style="/);
    assert.doesNotMatch(html.replace(new RegExp(source.replace(/[.+]/g, '\\$&'), 'g'), ''), /https?:\/\//, 'no other origins');
  });

  it('makes a fresh nonce each time', () => {
    assert.notEqual(makeNonce(), makeNonce());
    assert.match(makeNonce(), /^[A-Za-z0-9_-]{24}$/);
  });
});
