/**
 * Every stored Hugging Face config is the file its sidecar describes: the sidecar's byte count, sha256 and git
 * blob id are the fixture's own. One check for all of them, so a family's tests assert only its counts.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fixturePath } from '../fixtures';

interface Sidecar { bytes: number; sha256: string; git_blob_sha1_of_fixture: string }

const sidecars = readdirSync(fixturePath('hf', '')).filter((f) => f.endsWith('.source.json'));

describe('Hugging Face fixtures: each config is byte for byte what its sidecar describes', () => {
  it('finds the sidecars', () => assert.ok(sidecars.length >= 80, `${sidecars.length} sidecars`));

  for (const name of sidecars) {
    const fixture = name.slice(0, -'.source.json'.length);
    it(fixture, () => {
      const sidecar = JSON.parse(readFileSync(fixturePath('hf', name), 'utf8')) as Sidecar;
      const bytes = readFileSync(fixturePath('hf', fixture));
      assert.equal(sidecar.bytes, bytes.length);
      assert.equal(sidecar.sha256, createHash('sha256').update(bytes).digest('hex'));
      assert.equal(sidecar.git_blob_sha1_of_fixture, createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex'));
    });
  }
});
