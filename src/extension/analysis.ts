/**
 * Runs the engine for open documents: loads it lazily (activation stays cheap), caches one report per
 * document version, and drops results that a newer edit has overtaken.
 *
 * Analysis runs in the engine's isolated worker thread (memory and time limits), never in the extension
 * host itself: a config with a runaway number becomes a diagnostic, not a crash of the host that every
 * other extension shares. Concurrent requests for the same document version share one job.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type * as Engine from '../engine';
import type { GreenprintConfig } from './config';

let engine: typeof Engine | undefined;

/** The engine bundle sits next to the extension bundle in dist/. */
export function loadEngine(): typeof Engine {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  engine ??= require(path.join(__dirname, 'engine.js')) as typeof Engine;
  return engine;
}

const MODEL_LANGUAGES = new Set(['json', 'jsonc', 'yaml']);

interface CacheEntry {
  readonly version: number;
  readonly report: Engine.AnalysisReport;
}

interface InFlight {
  readonly version: number;
  readonly report: Promise<Engine.AnalysisReport | undefined>;
}

export class AnalysisService implements vscode.Disposable {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, InFlight>();
  /** Reports with per-layer ops (hovers), by document URI, for one version and settings generation. */
  private readonly detailedCache = new Map<string, { readonly version: number; readonly generation: number; readonly report: Promise<Engine.AnalysisReport | undefined> }>();
  /** Model View reports of binary model files, by URI, tagged with the settings generation they used. */
  private readonly fileReports = new Map<string, { readonly generation: number; readonly report: Promise<Engine.AnalysisReport> }>();
  private analyzer: Engine.IsolatedAnalyzer | undefined;
  /** Bumped when settings or device data change, so that a job started before cannot fill the cache. */
  private generation = 0;
  private readonly emitter = new vscode.EventEmitter<vscode.TextDocument>();
  /** Fires after a document's report changed (new version or new settings). */
  readonly onDidAnalyze = this.emitter.event;

  private localDevice: Engine.DeviceSpec | undefined;
  private localDeviceLoaded = false;

  /** `storageDir` holds this machine's LUTs (`luts/`) and calibration, kept across sessions. */
  constructor(
    private config: GreenprintConfig,
    readonly storageDir: string,
  ) {}

  get lutDirectory(): string {
    return path.join(this.storageDir, 'luts');
  }

  get calibrationFile(): string {
    return path.join(this.storageDir, 'local-cpu.calibration.json');
  }

  updateConfig(config: GreenprintConfig): void {
    const limits = this.config.analysisLimits;
    if (limits.memoryMb !== config.analysisLimits.memoryMb || limits.timeMs !== config.analysisLimits.timeMs) {
      this.analyzer?.dispose(); // the next analysis starts one with the new limits
      this.analyzer = undefined;
    }
    this.config = config;
    this.localDeviceLoaded = false;
    this.clearResults();
  }

  private clearResults(): void {
    this.generation++;
    this.cache.clear();
    this.inFlight.clear();
    this.fileReports.clear();
    this.detailedCache.clear();
  }

  /** Call after a calibration or LUT build so the next analysis uses it. */
  invalidateDeviceData(): void {
    this.localDeviceLoaded = false;
    this.clearResults();
  }

  private efficiencyOptions(): Engine.EfficiencyOptions {
    if (!this.localDeviceLoaded) {
      this.localDeviceLoaded = true;
      try {
        const calibration = loadEngine().loadCalibration(this.calibrationFile);
        this.localDevice = calibration ? loadEngine().localDeviceSpec(calibration, this.config.carbon.powerW) : undefined;
      } catch (e) {
        console.error('[greenprint] ignoring the calibration file', e);
        this.localDevice = undefined;
      }
    }
    const { region, pue, powerW, powerUtilisation } = this.config.carbon;
    return {
      device: this.config.device,
      lutDirectory: this.lutDirectory,
      latencyRuntime: this.config.latencyRuntime,
      localDevice: this.localDevice,
      carbon: { region, pue, powerW, powerUtilisation },
      training: this.config.training,
    };
  }

  /** Whether a document may be a model config, from cheap checks only (language, globs, a text sniff). */
  isCandidate(doc: vscode.TextDocument): boolean {
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled' && doc.uri.scheme !== 'vscode-remote') return false;
    if (this.matchesUserGlob(doc)) return true;
    if (!MODEL_LANGUAGES.has(doc.languageId) && !/\.(json|ya?ml|config)$/i.test(doc.fileName)) return false;
    return loadEngine().mightBeModelConfig(doc.getText());
  }

  private matchesUserGlob(doc: vscode.TextDocument): boolean {
    return this.config.includeGlobs.some((g) => vscode.languages.match({ pattern: g }, doc) > 0);
  }

  /** The report for the document's current version, computing it if needed; undefined for non-models. */
  async analyze(doc: vscode.TextDocument): Promise<Engine.AnalysisReport | undefined> {
    const key = doc.uri.toString();
    const version = doc.version;
    const cached = this.cache.get(key);
    if (cached && cached.version === version) return visible(cached.report);
    if (!this.isCandidate(doc)) {
      this.cache.delete(key);
      return undefined;
    }
    const running = this.inFlight.get(key);
    if (running && running.version === version) return running.report;
    const generation = this.generation;
    const report = this.isolatedAnalyzer()
      .analyze(doc.getText(), this.documentOptions(doc), key)
      .then((result) => {
        if (this.inFlight.get(key)?.report === report) this.inFlight.delete(key);
        if (!result || generation !== this.generation || doc.isClosed) return result && visible(result);
        this.cache.set(key, { version, report: result });
        this.emitter.fire(doc);
        return visible(result);
      });
    this.inFlight.set(key, { version, report });
    return report;
  }

  /**
   * The report of the document's current version with each layer's primitive ops, for hovers: the report
   * every keystroke gets leaves them out (a 500-layer model's op lists are a third of its report's bytes and
   * of its round trip), so they are computed once per version, when a hover first asks.
   */
  async detailed(doc: vscode.TextDocument): Promise<Engine.AnalysisReport | undefined> {
    const key = doc.uri.toString();
    const cached = this.detailedCache.get(key);
    if (cached && cached.version === doc.version && cached.generation === this.generation) return cached.report;
    if (!this.isCandidate(doc)) return undefined;
    // Its own queue key: it must neither supersede nor be superseded by the keystroke analyses of the document.
    const report = this.isolatedAnalyzer()
      .analyze(doc.getText(), { ...this.documentOptions(doc), includeOps: true }, `${key}#ops`)
      .then((r) => r && visible(r));
    this.detailedCache.set(key, { version: doc.version, generation: this.generation, report });
    return report;
  }

  private documentOptions(doc: vscode.TextDocument): Engine.WireAnalyzeOptions {
    return {
      ...this.analyzeOptions(doc.fileName),
      reportUnknown: this.matchesUserGlob(doc),
      siblingDirectory: doc.uri.scheme === 'file' ? path.dirname(doc.uri.fsPath) : undefined,
    };
  }

  /** The settings every analysis runs with, configs and model files alike. */
  private analyzeOptions(fileName: string): Engine.WireAnalyzeOptions {
    return {
      fileName,
      inputSize: this.config.inputSize,
      seqLen: this.config.seqLen,
      contextLength: this.config.contextLength,
      batch: this.config.batch,
      dtype: this.config.dtype,
      scale: this.config.scale,
      efficiency: this.efficiencyOptions(),
    };
  }

  /**
   * The report for a binary model file (ONNX, GGUF, safetensors) shown in the Model View: read by ranges in
   * the isolated worker under the same limits, with the same settings and target device as configs. Cached
   * per file until settings or device data change (the view re-asks on those events).
   */
  analyzeModelFile(uri: vscode.Uri): Promise<Engine.AnalysisReport> {
    const key = uri.toString();
    const cached = this.fileReports.get(key);
    if (cached && cached.generation === this.generation) return cached.report;
    const report = this.isolatedAnalyzer().analyzeModelFile(uri.fsPath, {
      ...this.analyzeOptions(uri.fsPath),
      // The Model View shows each layer's ops.
      includeOps: true,
      reportUnknown: true,
      siblingDirectory: path.dirname(uri.fsPath),
    });
    this.fileReports.set(key, { generation: this.generation, report });
    return report;
  }

  /** A file's cached Model View report, without computing (status bar). */
  peekModelFile(uri: vscode.Uri): Promise<Engine.AnalysisReport> | undefined {
    const cached = this.fileReports.get(uri.toString());
    return cached && cached.generation === this.generation ? cached.report : undefined;
  }

  forgetModelFile(uri: vscode.Uri): void {
    this.fileReports.delete(uri.toString());
  }

  /**
   * Loads the engine and starts the analysis process before any model is opened (called once, just after
   * activation): otherwise the first model file opened after, say, a package.json activated the extension
   * waits for both, several hundred milliseconds on a two-core machine, before its first hint.
   */
  warmUp(): void {
    this.isolatedAnalyzer().start();
  }

  private isolatedAnalyzer(): Engine.IsolatedAnalyzer {
    this.analyzer ??= new (loadEngine().IsolatedAnalyzer)({ limits: this.config.analysisLimits });
    return this.analyzer;
  }

  /** The cached report, without computing. */
  peek(doc: vscode.TextDocument): Engine.AnalysisReport | undefined {
    const cached = this.cache.get(doc.uri.toString());
    return cached && cached.version === doc.version && cached.report.format ? cached.report : undefined;
  }

  forget(doc: vscode.TextDocument): void {
    this.cache.delete(doc.uri.toString());
    this.detailedCache.delete(doc.uri.toString());
    this.inFlight.delete(doc.uri.toString());
  }

  dispose(): void {
    this.emitter.dispose();
    this.clearResults();
    this.analyzer?.dispose();
  }
}

/** Reports worth showing: a model, or a file with something to say (a stopped analysis, a syntax error). */
function visible(report: Engine.AnalysisReport): Engine.AnalysisReport | undefined {
  return report.format || report.diagnostics.length ? report : undefined;
}
