// Runs the journeys, then the gates, against a Masthead server that
// browser/run started; prints one line per journey and page, a summary, and
// exits non-zero on any failure.
//
// Environment: MASTHEAD_URL (the server), MASTHEAD_OUTBOX (its mail outbox
// directory), BROWSER_STAFF_EMAIL and BROWSER_STAFF_PASSWORD (a newsroom
// admin), BROWSER_SHOTS and BROWSER_PAGES (empty directories for the
// screenshots and the saved HTML).

import { Device, Failure, Shots } from './harness.mjs';
import { runGates } from './gates.mjs';
import { journeys } from './journeys.mjs';
import { nuCheck } from './validate.mjs';

function setting(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`error: ${name} is not set (run the browser tests with bash browser/run)`);
    process.exit(2);
  }
  return value;
}

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

const shots = new Shots(setting('BROWSER_SHOTS'));
const pagesDir = setting('BROWSER_PAGES');
const devices = [];
const ctx = {
  baseURL: setting('MASTHEAD_URL'),
  outbox: setting('MASTHEAD_OUTBOX'),
  /** A newsroom admin account browser/run made with `masthead staff add`. */
  staff: { email: setting('BROWSER_STAFF_EMAIL'), password: setting('BROWSER_STAFF_PASSWORD') },
  shots,
  /** Opens a device with a fresh profile; all are closed at the end. */
  async open(label, profile, options = {}) {
    const device = await Device.open(label, profile, { baseURL: ctx.baseURL, shots, ...options });
    devices.push(device);
    return device;
  },
};

let failed = 0;
const started = Date.now();

console.log('Journeys');
const state = {};
for (const { id, name, run } of journeys) {
  const t = Date.now();
  try {
    await run(ctx, state);
    console.log(`  ok    journey ${id}: ${name} (${seconds(t)})`);
  } catch (error) {
    failed += 1;
    const why = error instanceof Failure ? error.message : error.stack;
    console.log(`  FAIL  journey ${id}: ${name} (${seconds(t)})\n        ${why.replace(/\n/g, '\n        ')}`);
    for (const device of devices) {
      for (const page of device.context.pages()) await shots.take(page, `FAILED-journey-${id}-${device.label}`).catch(() => {});
    }
  }
}

for (const device of devices.splice(0)) await device.close();

console.log('Gates: axe-core (no serious or critical), console, no JavaScript needed, Nu HTML Checker (0 errors)');
const t = Date.now();
const pages = await runGates(ctx, pagesDir);
for (const device of devices.splice(0)) await device.close();
const saved = pages.filter((p) => p.file);
/** Nu warnings (they do not fail a page): each message once, with the pages that have it. */
const warnings = new Map();
try {
  const nu = nuCheck(pagesDir, saved.map((p) => p.file));
  for (const page of saved) {
    const { errors, warnings: pageWarnings } = nu.get(page.file);
    page.problems.push(...errors.map((e) => `Nu HTML Checker: ${e}`));
    for (const w of pageWarnings) {
      const message = w.replace(/^line \d+: /, '').replace(/ — ".*$/, '');
      warnings.set(message, new Set([...(warnings.get(message) ?? []), page.name]));
    }
  }
} catch (error) {
  pages.push({ name: 'the Nu HTML Checker', problems: [error.message] });
}
for (const page of pages) {
  const where = page.path ? ` ${page.path}` : '';
  if (page.problems.length === 0) {
    console.log(`  ok    ${page.name}${where} (${page.seconds})`);
  } else {
    failed += 1;
    console.log(`  FAIL  ${page.name}${where}${page.file ? ` [${page.file}]` : ''}`);
    for (const problem of page.problems) console.log(`        ${problem}`);
  }
}
for (const [message, where] of warnings) console.log(`  note  Nu HTML Checker warning on ${where.size} page(s): ${message}`);
const minor = new Map();
for (const page of pages) for (const note of page.notes ?? []) minor.set(note.replace(/ at .*$/, ''), (minor.get(note.replace(/ at .*$/, '')) ?? 0) + 1);
for (const [message, count] of minor) console.log(`  note  axe-core, not blocking, on ${count} page(s): ${message}`);
console.log(`  gates took ${seconds(t)}; ${saved.length} pages checked by the Nu HTML Checker`);

const total = journeys.length + pages.length;
console.log(`\n${failed === 0 ? 'PASSED' : 'FAILED'}: ${total - failed} of ${total} journeys and page gates passed in ${seconds(started)}; ${shots.count} screenshots in ${shots.dir}`);
process.exit(failed === 0 ? 0 : 1);
