/**
 * Names from model files inside the Markdown the editor renders (src/extension/markdown.ts). The checks
 * render with marked (CommonMark + GFM tables, the renderer of VS Code's hovers) where it is
 * installed, and always check the escaped text itself.
 */
import * as assert from 'node:assert/strict';
import { escapeMarkdown, mdRow, mdTable } from '../../../src/extension/markdown';
import { markdownRenderer, visibleText } from './render';

describe('escapeMarkdown', () => {
  it('keeps a Hugging Face row name literal: `model.layers.* norms` is not emphasis', () => {
    assert.equal(escapeMarkdown('model.layers.* norms'), 'model.layers.\\* norms');
    assert.equal(escapeMarkdown('*a* and **b**'), '\\*a\\* and \\*\\*b\\*\\*');
  });

  it('escapes underscores, backticks, pipes, brackets, angle brackets and backslashes', () => {
    assert.equal(escapeMarkdown('conv_1_bn'), 'conv\\_1\\_bn');
    assert.equal(escapeMarkdown('`code`'), '\\`code\\`');
    assert.equal(escapeMarkdown('a|b'), 'a\\|b');
    assert.equal(escapeMarkdown('[link](http://x)'), '\\[link\\](http://x)');
    assert.equal(escapeMarkdown('<unk> & <script>'), '\\<unk\\> \\& \\<script\\>');
    assert.equal(escapeMarkdown('C:\\models\\x'), 'C:\\\\models\\\\x');
    assert.equal(escapeMarkdown('~~gone~~ #1'), '\\~\\~gone\\~\\~ \\#1');
  });

  it('turns line breaks into spaces so a name cannot end a table row', () => {
    assert.equal(escapeMarkdown('a\nb\r\nc\rd'), 'a b c d');
  });

  it('leaves ordinary text alone', () => {
    assert.equal(escapeMarkdown('LlamaDecoderLayer 4096→14336 (SwiGLU), 32 heads'), 'LlamaDecoderLayer 4096→14336 (SwiGLU), 32 heads');
  });
});

describe('Markdown tables', () => {
  it('escapes every cell, pipes included', () => {
    assert.equal(mdRow(['model.layers.*', 'a|b', '4.09G']), '| model.layers.\\* | a\\|b | 4.09G |');
  });

  it('writes header, alignment and rows', () => {
    assert.equal(mdTable(['layer', 'MACs'], ['l', 'r'], [['x_1', '1.2G']]), '| layer | MACs |\n| --- | ---: |\n| x\\_1 | 1.2G |');
  });
});

describe('escaped names as a Markdown renderer shows them', () => {
  const hostile = ['model.layers.* norms', '*bold*', '__init__', '`x`', 'a|b', '[x](y)', '<img src=x>', 'a & b', 'x\\y', '~~s~~'];

  it('renders every hostile name literally, with no emphasis, code, link, strike or HTML element', function () {
    const md = markdownRenderer();
    if (!md) this.skip();
    for (const name of hostile) {
      const html = md!.parse(`**${escapeMarkdown(name)}** · ${escapeMarkdown(name)}`, { async: false });
      assert.doesNotMatch(html, /<(em|code|a|del|img|script)\b/, `${name} → ${html}`);
      assert.equal(visibleText(html), `${name} · ${name}`, html);
    }
  });

  it('keeps a table cell with a pipe in one cell', function () {
    const md = markdownRenderer();
    if (!md) this.skip();
    const html = md!.parse(mdTable(['layer', 'MACs'], ['l', 'r'], [['a|b_c', '1.2G']]), { async: false });
    assert.match(html, /<td>a\|b_c<\/td>/);
    assert.match(html, /<td align="right">1\.2G<\/td>/);
  });
});
