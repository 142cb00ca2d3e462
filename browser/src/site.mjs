// What the browser tests know about Masthead's pages: where stories are
// listed, how an account is made (the confirmation link arrives in the
// outbox as an .eml file), how a reader logs in and pays in the sandbox.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

import { expect, expectMatch } from './harness.mjs';

/** The demo's meter: free stories a month (MASTHEAD_METER_LIMIT's default). */
export const METER_LIMIT = 10;
/** Stories older than this are archive-only (MASTHEAD_ARCHIVE_AGE_DAYS's default). */
export const ARCHIVE_AGE_DAYS = 30;

/** The demo catalogue as the paywall must show it (PRODUCT.md's numbers). */
export const PLANS = [
  { name: 'Smart Quarterly', price: '₹900', perMonth: '₹300/Month', save: null, best: null },
  { name: 'Smart Essential', price: '₹2,700', perMonth: '₹225/Month', save: 'SAVE 25%', best: null },
  { name: 'Super Saver', price: '₹3,900', perMonth: '₹162/Month', save: 'SAVE 46%', best: 'Best value' },
];

/** What the meter note says on the `n`th free story of `limit`: what is left. */
export function meterNote(n, limit = METER_LIMIT) {
  const left = limit - n;
  if (left === 0) return 'This is your last free story this month';
  return left === 1 ? '1 free story left this month' : `${left} free stories left this month`;
}

/** A new reader's address and password, unique to this run. */
export function newReader(who) {
  const tag = randomBytes(4).toString('hex');
  return { email: `${who}-${tag}@example.com`, password: `correct horse ${tag}` };
}

/** The stories listed on the page `device` shows (lead and cards). */
async function listedStories(page) {
  return page.$$eval('article.lead, li.card', (cards) =>
    cards.map((card) => ({
      href: card.querySelector('a')?.getAttribute('href'),
      headline: card.querySelector('a')?.textContent.trim(),
      premium: card.querySelector('.badge') !== null,
      published: card.querySelector('time')?.getAttribute('datetime'),
    })),
  );
}

/**
 * `count` different stories a reader can find from the home page or the
 * section pages, each with the page that lists it. `premium` picks premium
 * (or free) stories outside the subscribers-only Smart Investor; `maxAgeDays`
 * keeps only stories newer than that.
 */
export async function findStories(device, { count, premium, maxAgeDays = Infinity }) {
  const found = new Map();
  const oldest = Date.now() - maxAgeDays * 86_400_000;
  const listings = ['/'];
  for (let i = 0; i < listings.length && found.size < count; i += 1) {
    await device.visit(listings[i]);
    if (i === 0) {
      const sections = await device.page.$$eval('header nav a', (links) => links.map((a) => a.getAttribute('href')));
      listings.push(...sections.filter((href) => href !== '/smart-investor'));
    }
    for (const story of await listedStories(device.page)) {
      if (found.size >= count || found.has(story.href) || story.href.startsWith('/smart-investor/')) continue;
      if (story.premium !== premium || Date.parse(story.published) < oldest) continue;
      found.set(story.href, { ...story, listing: listings[i] });
    }
  }
  expect(
    found.size >= count,
    `found only ${found.size} ${premium ? 'premium' : 'free'} stories newer than ${maxAgeDays} days on the home and section pages, needed ${count}`,
  );
  return [...found.values()];
}

/** The story page's parts, as a reader sees them. */
export async function readStory(page) {
  return page.evaluate(() => {
    const text = (selector) => document.querySelector(selector)?.textContent.replace(/\s+/g, ' ').trim() ?? null;
    return {
      headline: text('article.story h1'),
      meterNote: text('.meter-note'),
      welcome: text('.welcome'),
      lang: document.querySelector('article.story')?.getAttribute('lang') ?? null,
      paragraphs: [...document.querySelectorAll('article.story .body p')].map((p) => p.textContent.trim()),
      paywall: text('.paywall h2'),
      premium: document.querySelector('article.story .badge') !== null,
      published: text('article.story .published time'),
    };
  });
}

/** The plan cards inside `scope` (the paywall, or the subscribe page). */
export async function planCards(page, scope) {
  return page.$$eval(`${scope} .plan`, (plans) =>
    plans.map((plan) => {
      const text = (selector) => plan.querySelector(selector)?.textContent.trim() ?? null;
      return { name: text('h3'), price: text('.price'), perMonth: text('.per-month'), save: text('.save'), best: text('.best-value') };
    }),
  );
}

/** Fails unless the cards are the demo catalogue with its prices and savings. */
export function expectCatalogue(cards, where) {
  const shown = JSON.stringify(cards);
  expect(cards.length === PLANS.length, `${where}: expected ${PLANS.length} plans, got ${shown}`);
  PLANS.forEach((plan, i) => {
    for (const key of Object.keys(plan)) {
      expect(cards[i][key] === plan[key], `${where}: plan ${i + 1} ${key} should be ${plan[key]}, page shows ${shown}`);
    }
  });
}

/**
 * What makes the page's forms hard to use: a text field or list smaller
 * than 16px (phones zoom into those), and on a phone one narrower than its
 * form (the address cut off at "…@examp"). Hidden fields, checkboxes and
 * radio buttons aside.
 */
export async function formProblems(page, phone) {
  return page.evaluate((phone) => {
    const problems = [];
    const fields = [...document.querySelectorAll('main form :is(input, select, textarea)')].filter(
      (f) => !['hidden', 'checkbox', 'radio'].includes(f.type) && f.getClientRects().length > 0,
    );
    for (const field of fields) {
      const name = `${field.tagName.toLowerCase()}#${field.id || field.name}`;
      const size = parseFloat(getComputedStyle(field).fontSize);
      if (size < 16) problems.push(`${name} is set in ${size}px type (under 16px)`);
      const width = field.getBoundingClientRect().width;
      const room = field.closest('form').getBoundingClientRect().width;
      if (phone && width < room * 0.9) problems.push(`${name} is ${Math.round(width)}px wide in a ${Math.round(room)}px form on a phone`);
    }
    return problems;
  }, phone);
}

/** Fills and submits the sign-up form on the current page; returns the page it leads to. */
export async function signUp(device, reader) {
  const { page } = device;
  await page.getByLabel('Email address').fill(reader.email);
  await page.getByLabel('Password').fill(reader.password);
  const response = await device.follow(page.getByRole('button', { name: 'Create account' }));
  expectMatch(await page.textContent('h1'), /^Check your inbox$/, 'after sign-up');
  return response;
}

/** Fills and submits the log-in form on the current page; returns the page it leads to. */
export async function logIn(device, reader) {
  const { page } = device;
  await page.getByLabel('Email address').fill(reader.email);
  await page.getByLabel('Password').fill(reader.password);
  const response = await device.follow(page.getByRole('button', { name: 'Log in' }));
  expect(!new URL(page.url()).pathname.startsWith('/login'), `log-in as ${reader.email} failed: still on ${page.url()}`);
  return response;
}

/**
 * Pays for the plan on the sandbox checkout page `device` shows, with the
 * invoice details it asks for; returns the page it leads to.
 */
/** The name readers put on their invoices: in Devanagari, so the PDF must carry its font. */
export const INVOICE_NAME = 'अनन्या शर्मा';

export async function payInSandbox(device, price) {
  const { page } = device;
  expectMatch(await page.textContent('.test-mode'), /^TEST MODE/, 'the sandbox checkout');
  await page.getByLabel('Name on the invoice').fill(INVOICE_NAME);
  await page.getByLabel('Your state').selectOption('Maharashtra');
  return device.follow(page.getByRole('button', { name: `Pay ${price}` }));
}

/**
 * The text of the PDF at `href`, fetched with the page's cookies and read
 * by poppler's pdftotext (as a reader's viewer would copy it).
 */
export async function pdfText(page, href) {
  const response = await page.request.get(href);
  expect(response.ok(), `GET ${href}: ${response.status()}`);
  expectMatch(response.headers()['content-type'], /^application\/pdf$/, `the answer to ${href}`);
  const dir = await mkdtemp(join(tmpdir(), 'masthead-pdf-'));
  try {
    const file = join(dir, 'file.pdf');
    await writeFile(file, await response.body());
    const { stdout } = await promisify(execFile)('pdftotext', ['-enc', 'UTF-8', file, '-']);
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The confirmation link mailed to `email`: the newest .eml file addressed to
 * it in the outbox (waiting up to five seconds for it to be written).
 */
export async function confirmationLink(outbox, email) {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const names = (await readdir(outbox).catch(() => [])).filter((name) => name.endsWith('.eml')).sort().reverse();
    for (const name of names) {
      const eml = await readFile(join(outbox, name), 'utf8');
      if (!new RegExp(`^To: .*${email.replace(/[.+]/g, '\\$&')}`, 'mi').test(eml)) continue;
      const link = eml.match(/https?:\/\/[^\s"<>]+\/account\/verify\?token=[^\s"<>]+/);
      expect(link, `the newest message to ${email} (${name}) has no confirmation link`);
      const url = new URL(link[0].replace(/&amp;/g, '&'));
      return url.pathname + url.search;
    }
    await sleep(100);
  }
  throw new Error(`no message to ${email} arrived in ${outbox}`);
}

/** Opens the confirmation link from the mail in a new tab, as a mail client would. */
export async function confirmEmail(device, outbox, reader) {
  const link = await confirmationLink(outbox, reader.email);
  const tab = await device.context.newPage();
  await device.visit(link, { page: tab });
  expectMatch(await tab.textContent('h1'), /^Your email address is confirmed$/, 'the confirmation link');
  await device.shot('email-confirmed', tab);
  await tab.close();
}
