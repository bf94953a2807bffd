/** The check every "GGUF read through its recipe" test makes, stated once. */
import { strict as assert } from 'node:assert';
import type { AnalysisReport } from '../../../src/engine/analyze';

/** Warnings and errors of a report (infos, such as the count-match note, are expected). */
export const problems = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message);

/**
 * The recipe built from the metadata counts exactly what the tensor table holds (`tableCount`, after any tensors
 * the family stores apart), that equals the published figure, the report says so, and nothing is unverified.
 */
export function assertRecipeEqualsTable(r: AnalysisReport, tableCount: number, published: number): void {
  assert.deepEqual(problems(r), []);
  assert.equal(tableCount, published);
  assert.equal(r.totals?.params, tableCount);
  assert.equal(r.unverified, undefined);
  const match = new RegExp(`Parameters match the ${published.toLocaleString('en-US')} in .*'s tensor table`);
  assert.ok(r.diagnostics.some((d) => match.test(d.message)), JSON.stringify(r.diagnostics));
}
