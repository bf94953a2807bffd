/**
 * The timing loop of the pages' GPU measurements (TF.js in the panel, ONNX Runtime in the Model View):
 * bounded in time as well as in runs, because a software renderer takes seconds per run. At least one
 * warm-up run and `minRuns` timed runs happen whatever the budgets; past them, a loop stops at its budget.
 */
export interface RunBudget {
  readonly warmup: number;
  readonly runs: number;
  readonly minRuns: number;
  readonly warmupBudgetMs: number;
  readonly timedBudgetMs: number;
}

export interface BudgetedRuns {
  /** Milliseconds per timed run, in the order they ran. */
  readonly times: number[];
  readonly warmupRuns: number;
  /** Set when the time budget ended the timed runs early. */
  readonly stoppedNote?: string;
}

export async function budgetedRuns(once: () => Promise<void>, budget: RunBudget): Promise<BudgetedRuns> {
  const warmupStart = performance.now();
  let warmupRuns = 0;
  for (; warmupRuns < budget.warmup && (warmupRuns < 1 || performance.now() - warmupStart < budget.warmupBudgetMs); warmupRuns++) await once();
  const times: number[] = [];
  const timedStart = performance.now();
  for (let i = 0; i < budget.runs && (i < budget.minRuns || performance.now() - timedStart < budget.timedBudgetMs); i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  const stopped = times.length < budget.runs ? `stopped after ${times.length} of ${budget.runs} runs (${(budget.timedBudgetMs / 1000).toFixed(0)} s budget)` : undefined;
  return { times, warmupRuns, ...(stopped ? { stoppedNote: stopped } : {}) };
}
