/**
 * The Marketplace face of package.json: links, icon, categories, palette commands and the Getting Started
 * walkthrough. Every command a walkthrough link, completion event or menu names is contributed; the commands
 * tests and keybindings use keep their ids; each command sits in the Greenprint category; and what the
 * palette hides or shows follows from `when` clauses, not from missing contributions.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../fixtures';

interface Command {
  command: string;
  title: string;
  category?: string;
}
interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string };
  completionEvents?: string[];
}

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const commands: Command[] = manifest.contributes.commands;
const contributed = new Set(commands.map((c) => c.command));
const steps: Step[] = manifest.contributes.walkthroughs.flatMap((w: { steps: Step[] }) => w.steps);

/** Command ids the extension's source registers with registerCommand (the manifest must not name others). */
function registeredIds(dir = path.join(REPO_ROOT, 'src', 'extension'), ids = new Set<string>()): Set<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) registeredIds(full, ids);
    else if (entry.name.endsWith('.ts')) for (const m of readFileSync(full, 'utf8').matchAll(/registerCommand\(\s*'([^']+)'/g)) ids.add(m[1]);
  }
  return ids;
}

describe('package.json for the Marketplace', () => {
  it('links the repository, issues and home page under one project address', () => {
    const base = 'https://github.com/greenprint-dev/greenprint';
    assert.equal(manifest.repository.url, `${base}.git`);
    assert.equal(manifest.bugs.url, `${base}/issues`);
    assert.ok(manifest.homepage.startsWith(base));
    assert.match(manifest.galleryBanner.color, /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(manifest.galleryBanner.theme));
    assert.ok(existsSync(path.join(REPO_ROOT, manifest.icon)));
    assert.ok(manifest.keywords.length <= 30, 'the Marketplace takes at most 30 keywords');
  });

  it('keeps the command ids tests and keybindings use, and adds the ones users look for', () => {
    for (const id of ['greenprint.showReport', 'greenprint.toggleHints', 'greenprint.copyTotals', 'greenprint.selectVariant', 'greenprint.selectDevice', 'greenprint.measureLatency', 'greenprint.calibrate', 'greenprint.buildLut', 'greenprint.connectDevice', 'greenprint.disconnectDevice', 'greenprint.openPanel', 'greenprint.openModelView']) {
      assert.ok(contributed.has(id), id);
    }
    const titles = new Map(commands.map((c) => [c.command, `${c.category}: ${c.title}`]));
    assert.equal(titles.get('greenprint.searchSubnets'), 'Greenprint: Search Subnets…');
    assert.equal(titles.get('greenprint.extractSubnet'), 'Greenprint: Extract Subnet…');
    assert.equal(titles.get('greenprint.openSamples'), 'Greenprint: Open Samples…');
  });

  it('puts every command in the Greenprint category, and registers each in the source', () => {
    const registered = registeredIds();
    for (const c of commands) {
      assert.equal(c.category, 'Greenprint', c.command);
      assert.ok(!c.title.startsWith('Greenprint'), `${c.command}: the category already says Greenprint`);
      assert.ok(registered.has(c.command), `${c.command} is contributed but never registered`);
    }
  });

  it('names only contributed commands in menus, walkthrough links and completion events', () => {
    const named: string[] = [];
    for (const entries of Object.values(manifest.contributes.menus) as { command: string }[][]) named.push(...entries.map((e) => e.command));
    for (const step of steps) {
      named.push(...[...step.description.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]));
      named.push(...(step.completionEvents ?? []).filter((e) => e.startsWith('onCommand:')).map((e) => e.slice('onCommand:'.length)));
    }
    assert.ok(named.length > 10);
    for (const id of named) assert.ok(contributed.has(id), id);
  });

  it('has a walkthrough that opens the samples, picks a device, searches and extracts, each step with a page and a way to complete', () => {
    const linked = steps.map((s) => /\(command:([\w.]+)\)/.exec(s.description)?.[1]);
    assert.deepEqual(linked, ['greenprint.openSamples', 'greenprint.selectDevice', 'greenprint.searchSubnets', 'greenprint.extractSubnet']);
    for (const step of steps) {
      assert.ok(step.completionEvents?.length, `${step.id} never completes`);
      assert.ok(step.media.markdown && existsSync(path.join(REPO_ROOT, step.media.markdown)), `${step.id}: ${step.media.markdown}`);
      const page = readFileSync(path.join(REPO_ROOT, step.media.markdown!), 'utf8');
      assert.match(page, /^# /, `${step.media.markdown} starts with its title`);
    }
  });

  it('hides commands from the palette only with a when clause, never the new ones', () => {
    const palette: { command: string; when: string }[] = manifest.contributes.menus.commandPalette;
    const hidden = new Set(palette.filter((p) => p.when === 'false').map((p) => p.command));
    for (const id of ['greenprint.searchSubnets', 'greenprint.extractSubnet', 'greenprint.openSamples', 'greenprint.openPanel']) assert.ok(!palette.some((p) => p.command === id), id);
    assert.deepEqual([...hidden], ['greenprint.openModelView']);
  });
});
