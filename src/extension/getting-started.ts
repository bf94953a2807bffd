/**
 * The palette commands a new user looks for, and the Getting Started walkthrough's steps (package.json
 * `contributes.walkthroughs`, media/walkthrough/*.md):
 *   - Greenprint: Open Samples…     finds the samples (the workspace's `samples/`, else a copy of the ones the
 *                                   .vsix ships, written where the user picks) and opens the one picked;
 *   - Greenprint: Search Subnets…   opens the panel on a supernet (the active one, the one picked, or a sample);
 *   - Greenprint: Extract Subnet…   picks a subnet of the panel's last results and extracts it (the panel's own
 *                                   extraction: same dialogs, same checks).
 * Each command takes an optional argument that skips its dialogs (integration tests, walkthrough links).
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import type { Ctx } from './context';
import { loadEngine } from './analysis';
import { GreenprintPanel, type ExtractChoices } from './panel/panel';
import type { Extraction, PanelPoint } from './panel/protocol';
import { copySamples, isSamplesFolder, listSamples, SAMPLES_MARKER, type SampleEntry } from './samples';

const SAMPLES_FOLDER_NAME = 'greenprint-samples';

export interface OpenSamplesArgs {
  /** Copy the shipped samples here instead of asking (a folder in the workspace wins over this). */
  readonly copyTo?: string;
  /** Open this sample (relative to the samples folder) instead of asking. */
  readonly open?: string;
}

export interface OpenSamplesResult {
  readonly root: string;
  readonly samples: readonly SampleEntry[];
  readonly opened?: string;
}

/** A samples folder of the workspace (a checkout of the repository, or an earlier copy). */
async function workspaceSamples(): Promise<string | undefined> {
  const markers = await vscode.workspace.findFiles(`**/${SAMPLES_MARKER}`, '**/node_modules/**', 50);
  const roots = markers.map((uri) => path.dirname(uri.fsPath)).filter((dir) => isSamplesFolder(dir) && listSamples(dir).some((s) => s.kind === 'supernet'));
  return roots.sort((a, b) => a.length - b.length)[0];
}

/** Where to copy the shipped samples: a new folder in the (first) workspace folder, else in the home folder. */
async function askCopyDestination(): Promise<string | undefined> {
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
  const suggested = path.join(base, SAMPLES_FOLDER_NAME);
  const choice = await vscode.window.showQuickPick(
    [
      { label: `$(folder) ${suggested}`, description: existsSync(suggested) ? 'exists: only missing files are added' : 'new folder', dir: suggested },
      { label: '$(folder-opened) Choose another folder…', dir: undefined },
    ],
    // Opened from a walkthrough button, whose page takes the focus back as it marks the step: stay open.
    { title: 'Greenprint: where should the samples go?', placeHolder: 'Extracted subnets are written beside the sample supernet, so pick a folder you can write in', ignoreFocusOut: true },
  );
  if (!choice) return undefined;
  if (choice.dir) return choice.dir;
  const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, defaultUri: vscode.Uri.file(base), openLabel: 'Copy samples here' });
  return picked?.[0] && path.join(picked[0].fsPath, SAMPLES_FOLDER_NAME);
}

async function openSamples(ctx: Ctx, args: OpenSamplesArgs = {}): Promise<OpenSamplesResult | undefined> {
  const extensionRoot = ctx.extension.extensionUri.fsPath;
  let root = await workspaceSamples();
  if (!root) {
    const shipped = path.join(extensionRoot, 'samples');
    if (!isSamplesFolder(shipped)) {
      void vscode.window.showInformationMessage('Greenprint: this installation carries no samples. Open a folder with model configs, or a checkout of the Greenprint repository (its samples/ folder).');
      return undefined;
    }
    const destination = args.copyTo ?? (await askCopyDestination());
    if (!destination) return undefined;
    try {
      const outcome = copySamples(shipped, destination, extensionRoot);
      if (outcome.copied.length) void vscode.window.setStatusBarMessage(`Greenprint: ${outcome.copied.length} sample files copied to ${destination}`, 5000);
    } catch (err) {
      void vscode.window.showErrorMessage(`Greenprint: could not copy the samples: ${(err as Error).message}`);
      return undefined;
    }
    root = destination;
  }
  const samples = listSamples(root);
  const picked = args.open
    ? samples.find((s) => s.file === args.open)
    : await vscode.window.showQuickPick(
        samples.map((s) => ({ label: s.label, detail: s.detail, sample: s })),
        { title: 'Greenprint: open a sample', placeHolder: `Samples in ${vscode.workspace.asRelativePath(root)}`, matchOnDetail: true, ignoreFocusOut: true },
      ).then((choice) => choice?.sample);
  if (!picked) return { root, samples };
  const file = path.join(root, ...picked.file.split('/'));
  await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
  return { root, samples, opened: file };
}

/** Supernet descriptions of the workspace and the open editors. */
async function knownSupernets(ctx: Ctx): Promise<vscode.Uri[]> {
  const found = new Map<string, vscode.Uri>();
  for (const uri of await vscode.workspace.findFiles('**/*.supernet.json', '**/node_modules/**', 200)) found.set(uri.fsPath, uri);
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.uri.scheme === 'file' && !found.has(doc.uri.fsPath) && (await ctx.analysis.analyze(doc))?.format === 'ofa-supernet') found.set(doc.uri.fsPath, doc.uri);
  }
  return [...found.values()].sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

async function searchSubnets(ctx: Ctx, arg?: unknown): Promise<string | undefined> {
  let supernet = arg instanceof vscode.Uri ? arg : undefined;
  const active = vscode.window.activeTextEditor?.document;
  if (!supernet && active && (await ctx.analysis.analyze(active))?.format === 'ofa-supernet') supernet = active.uri;
  if (!supernet) {
    const candidates = await knownSupernets(ctx);
    if (candidates.length === 0) {
      const answer = await vscode.window.showInformationMessage('Greenprint: no supernet description (*.supernet.json) is open or in the workspace. Open the sample supernet?', 'Open Samples…');
      if (answer) await vscode.commands.executeCommand('greenprint.openSamples');
      return undefined;
    }
    supernet =
      candidates.length === 1
        ? candidates[0]
        : (await vscode.window.showQuickPick(candidates.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })), { title: 'Greenprint: search which supernet?' }))?.uri;
    if (!supernet) return undefined;
  }
  await vscode.commands.executeCommand('greenprint.openPanel', supernet);
  return supernet.fsPath;
}

/** "91.2 % · 1.02 MMACs · 3.41 ms" for a result's row in the picker. */
function pointLabel(ctx: Ctx, point: PanelPoint): string {
  const e = loadEngine();
  const parts = [`${(point.accuracy * 100).toFixed(1)} %`, e.formatQuantity(point.macs, 'macs', ctx.config.units)];
  if (point.latencyMs !== undefined) parts.push(e.formatMs(point.latencyMs));
  return parts.join(' · ');
}

export interface ExtractSubnetArgs {
  /** The result to extract (a point's key) instead of asking. */
  readonly key?: string;
  /** The panel's extraction choices (folder, replace) instead of its dialogs. */
  readonly choices?: ExtractChoices;
}

async function extractSubnet(ctx: Ctx, args: ExtractSubnetArgs = {}): Promise<Extraction | undefined> {
  // The panel holds the results (kept across reloads in workspace storage) and does the extraction.
  if (!GreenprintPanel.current) await vscode.commands.executeCommand('greenprint.openPanel');
  const panel = GreenprintPanel.current;
  const snapshot = panel?.snapshot();
  const results = snapshot?.results;
  if (!panel || !results?.points.length) {
    const answer = await vscode.window.showInformationMessage('Greenprint: no search results to extract from yet. Run a search first.', 'Search Subnets…');
    if (answer) await vscode.commands.executeCommand('greenprint.searchSubnets');
    return undefined;
  }
  let key = args.key;
  if (!key) {
    const points = [...results.points].sort((a, b) => b.accuracy - a.accuracy);
    const picked = await vscode.window.showQuickPick(
      points.map((p) => ({
        label: `${p.key === results.bestKey ? '$(star-full) ' : ''}${pointLabel(ctx, p)}`,
        description: `r ${p.arch.r} · depths ${p.arch.d.join('-')}`,
        detail: snapshot?.extracted[p.key] ? `extracted to ${vscode.workspace.asRelativePath(snapshot.extracted[p.key].dir)}` : undefined,
        key: p.key,
      })),
      { title: `Greenprint: extract which subnet of ${path.basename(results.request.supernet)}?`, placeHolder: 'Most accurate first; the star marks the search’s best under its limit', matchOnDescription: true },
    );
    key = picked?.key;
  }
  return key ? panel.extract(key, args.choices) : undefined;
}

export function registerGettingStarted(ctx: Ctx): void {
  ctx.push(
    vscode.commands.registerCommand('greenprint.openSamples', (args?: OpenSamplesArgs) => openSamples(ctx, args && typeof args === 'object' ? args : {})),
    vscode.commands.registerCommand('greenprint.searchSubnets', (arg?: unknown) => searchSubnets(ctx, arg)),
    vscode.commands.registerCommand('greenprint.extractSubnet', (args?: ExtractSubnetArgs) => extractSubnet(ctx, args && typeof args === 'object' ? args : {})),
  );
}
