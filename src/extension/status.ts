/** Status-bar totals for the active editor's model. */
import * as vscode from 'vscode';
import type { Ctx } from './context';
import { efficiencyMarkdown, errorCount, modelTitle, quantity, shortDevice, totalsLine } from './present';
import { escapeMarkdown } from './markdown';
import { loadEngine } from './analysis';
import { connectedDevices, remoteStatus } from './devices';
import { activeModelViewReport, onDidChangeActiveModelView } from './model-view/active';

export function registerStatus(ctx: Ctx): void {
  const item = vscode.window.createStatusBarItem('greenprint.totals', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Greenprint model totals';
  item.command = 'greenprint.showReport';
  ctx.push(item);

  const update = async () => {
    const editor = vscode.window.activeTextEditor;
    // No text editor active: a Model View (custom editor) may be, with the report of its binary model file.
    const report = !ctx.config.statusBarEnabled ? undefined : editor ? await ctx.analysis.analyze(editor.document) : activeModelViewReport();
    if (vscode.window.activeTextEditor !== editor) return; // the user moved on; that editor's update wins
    if (!report?.totals) {
      item.hide();
      return;
    }
    const e = loadEngine();
    const units = ctx.config.units;
    item.text = `${errorCount(report) || report.unverified ? '$(warning)' : '$(pulse)'} ${quantity(e, report, report.totals.params, 'params', units)} · ${quantity(e, report, report.totals.macs, 'macs', units)}`;
    item.tooltip = new vscode.MarkdownString(`**${escapeMarkdown(modelTitle(report))}**\n\n${escapeMarkdown(totalsLine(e, report, units))}\n\nClick for the per-layer report.`);
    item.show();
  };
  const refresh = () => void update().catch((e) => console.error('[greenprint] status bar', e));
  ctx.onRefresh((doc) => {
    if (vscode.window.activeTextEditor?.document === doc) return update();
  });
  ctx.push(vscode.window.onDidChangeActiveTextEditor(refresh), ctx.onDidChangeConfig(refresh), onDidChangeActiveModelView(refresh));
  refresh();
  registerDevicePicker(ctx);
}

const MEASURE_LINKS = '[Greenprint: Calibrate This Machine](command:greenprint.calibrate "a few seconds: a roofline from this machine’s measured rates") · [Greenprint: Build Latency Table for This Model](command:greenprint.buildLut "times each distinct layer of this model here")';

/** The target device, always one click away while a model is open. */
function registerDevicePicker(ctx: Ctx): void {
  const item = vscode.window.createStatusBarItem('greenprint.device', vscode.StatusBarAlignment.Right, 99);
  item.name = 'Greenprint target device';
  item.command = 'greenprint.selectDevice';
  ctx.push(item);
  const update = () => {
    const editor = vscode.window.activeTextEditor;
    const report = !ctx.config.statusBarEnabled ? undefined : editor ? ctx.analysis.peek(editor.document) : activeModelViewReport();
    if (!report?.totals) {
      item.hide();
      return;
    }
    const e = loadEngine();
    const device = e.listTargetDevices().find((d) => d.id === ctx.config.device);
    const latency = report.latency ? ` ${report.latency.transformer ? `${e.formatMs(report.latency.transformer.decodeMsPerToken)}/tok` : e.formatMs(report.latency.totalMs)}` : '';
    const remote = remoteStatus(ctx.config.device);
    item.text = remote ? `${remote.text}${latency}` : `$(device-mobile) ${shortDevice(device?.name ?? ctx.config.device)}${latency}`;
    // This machine without a latency figure: the editor commands that give it one, one click away.
    const measureHere = !report.latency && !remote && ctx.config.device.startsWith('local-') ? `\n\n${MEASURE_LINKS}` : '';
    const tooltip = new vscode.MarkdownString(
      `${remote ? remote.tooltip : `**Target device:** ${escapeMarkdown(device?.name ?? ctx.config.device)}`}\n\n${efficiencyMarkdown(e, report) || 'No latency figure yet.'}${measureHere}\n\nClick to choose another device.`,
    );
    tooltip.isTrusted = { enabledCommands: ['greenprint.calibrate', 'greenprint.buildLut'] };
    item.tooltip = tooltip;
    item.show();
  };
  const devices = connectedDevices();
  if (devices) ctx.push(devices.onDidChange(update));
  ctx.onRefresh(async (doc) => {
    if (vscode.window.activeTextEditor?.document !== doc) return;
    await ctx.analysis.analyze(doc); // what `peek` then finds
    update();
  });
  ctx.push(vscode.window.onDidChangeActiveTextEditor(update), ctx.onDidChangeConfig(update), onDidChangeActiveModelView(update));
}
