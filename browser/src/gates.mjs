// Web-quality gates on every page type: the reader site (the e-paper and
// the newsletters among it, signed out on a desktop and subscribed on a
// phone), the account and billing pages, and the newsroom with its
// newsletter desk (as an admin made by browser/run; its e-paper upload on a
// phone too). The subscriber also pauses renewal and lifts the pause, and
// buys a group subscription (its checkout, the manager's page, an
// invitation) that the newsroom's groups page then lists; once the newsroom
// has marked an offer for cancellations, another subscriber is shown it when
// cancelling, and accepts it. Each page is reached the way a person reaches it (a visitor, a
// subscriber, an editor, a form post) in Chromium, and held to:
// axe-core run inside the page (no serious or critical violation), no console
// error, and usable without JavaScript (no script but JSON-LD, no inline
// handlers, every form a plain method/action form with a submit button), and
// outside the newsroom every form field 16px or larger (full width on a phone). The
// server's HTML of each page is saved for the Nu HTML Checker (validate.mjs).
// A separate profile with JavaScript disabled signs up, logs in, subscribes,
// pays and cancels through the plain forms.

import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { DESKTOP, Failure, PHONE, expect, expectMatch } from './harness.mjs';
import {
  METER_LIMIT,
  confirmationLink,
  findStories,
  formProblems,
  logIn,
  meterNote,
  newReader,
  payInSandbox,
  readStory,
  signUp,
} from './site.mjs';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** The axe-core source, read once. */
let AXE_SOURCE;
/** axe impacts that fail a page. */
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

/**
 * Runs axe-core in the page; returns its violations, described, blocking and minor apart.
 * It is evaluated through the DevTools protocol rather than added as a
 * `<script>`: the site's Content-Security-Policy allows no script, and a
 * refused script tag would be a console error of the harness's own making.
 */
async function axeViolations(page) {
  AXE_SOURCE ??= await readFile(AXE_SCRIPT, 'utf8');
  await page.evaluate(`${AXE_SOURCE}\n;undefined`);
  const results = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
  const describe = (v) =>
    `${v.impact} ${v.id} (${v.help}) at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`;
  return {
    blocking: results.violations.filter((v) => BLOCKING_IMPACTS.has(v.impact)).map(describe),
    minor: results.violations.filter((v) => !BLOCKING_IMPACTS.has(v.impact)).map(describe),
  };
}

/**
 * What makes a page need JavaScript, read from the server's HTML: scripts
 * other than JSON-LD data, inline event handlers, `javascript:` links, and
 * forms that only a script could submit.
 */
export function needsJavaScript(html) {
  const problems = [];
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
    if (!/type=["']?application\/ld\+json/i.test(tag)) problems.push(`a script: ${tag}`);
  }
  for (const [attribute] of html.matchAll(/\son[a-z]+\s*=/gi)) problems.push(`an inline handler: ${attribute.trim()}`);
  if (/\b(?:href|action|src)\s*=\s*["']?\s*javascript:/i.test(html)) problems.push('a javascript: URL');
  for (const [form, attributes, body] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    if (!/\baction=/i.test(attributes) || !/\bmethod=/i.test(attributes)) problems.push(`a form without action and method: ${form.slice(0, 80)}`);
    if (!/<button\b[^>]*>|<input\b[^>]*type=["']?submit/i.test(body)) problems.push(`a form without a submit button: ${form.slice(0, 80)}`);
  }
  return problems;
}

/** The page types and how a reader reaches each; they run in this order. */
function pageTypes(ctx, pick) {
  const anonymous = [
    ['home', (g) => g.visit('/')],
    ['section', (g) => g.visit('/world')],
    ['section, page 2', (g) => g.visit('/world?page=2')],
    ['section, subscribers only (The Smart Investor)', (g) => g.visit('/smart-investor')],
    ['story, metered (a visitor\'s first free story)', (g) => g.visit(pick.free[0].href), (s) => s.meterNote === meterNote(1)],
    ['story, premium, withheld', (g) => g.visit(pick.premium.href), (s) => /^This premium story is for subscribers/.test(s.paywall)],
    ['story, The Smart Investor, withheld', (g) => g.visit(pick.smartInvestor), (s) => /^The Smart Investor is for subscribers/.test(s.paywall)],
    ['story, archive (1998), withheld', (g) => g.visit(pick.archive), (s) => /^Stories older than/.test(s.paywall)],
    ['subscribe, signed out', (g) => g.visit('/subscribe')],
    ['subscribe, account step (signed out)', async (g) => {
      await g.visit(`/subscribe?next=${pick.premium.href}`);
      return g.follow(g.page.getByRole('button', { name: 'Choose Super Saver' }));
    }],
    ['log-in', (g) => g.visit('/login?next=/subscribe')],
    ['log-in, wrong password', async (g) => {
      await g.page.getByLabel('Email address').fill('nobody@example.com');
      await g.page.getByLabel('Password').fill('not the password');
      g.expectStatus('/login', 401);
      return g.follow(g.page.getByRole('button', { name: 'Log in' }), { status: 401 });
    }],
    ['sign-up', (g) => g.visit('/signup')],
    ['sign-up, invalid address and short password', async (g) => {
      await g.page.getByLabel('Email address').fill('not an address');
      await g.page.getByLabel('Password').fill('short');
      g.expectStatus('/signup', 422);
      return g.follow(g.page.getByRole('button', { name: 'Create account' }), { status: 422 });
    }],
    ['forgotten password', (g) => g.visit('/account/forgot-password')],
    ['search', (g) => g.visit('/search')],
    ['search results', (g) => g.visit('/search?q=India&from=1998-01-01&to=1998-12-31')],
    ['search, a query it cannot take', (g) => g.visit('/search?q=%22unclosed+phrase')],
    ['archive, years', (g) => g.visit('/archive')],
    ['archive, a year', (g) => g.visit('/archive/1998')],
    ['archive, a month', (g) => g.visit('/archive/1998/06')],
    ['archive, a day', async (g) => {
      await g.visit('/archive/1998/06');
      return g.follow(g.page.locator('.archive-links a').first());
    }],
    ['newsletters', (g) => g.visit('/newsletters')],
    ['e-paper, calendar', (g) => g.visit('/epaper')],
    ['e-paper, an edition, signed out (front thumbnail and paywall)', (g) => g.visit('/epaper/2017-04-13')],
    ['not found (an unknown page)', (g) => g.visit('/no-such-page', { status: 404 })],
    ['not found (an unknown story)', (g) => g.visit('/world/no-such-story-999999999', { status: 404 })],
    [`story, withheld (after ${METER_LIMIT} free stories)`, async (g) => {
      for (const story of pick.free.slice(1, METER_LIMIT)) await g.visit(story.href);
      return g.visit(pick.free[METER_LIMIT].href);
    }, (s) => /^You've reached your limit/.test(s.paywall)],
  ];
  const reader = newReader('gates');
  const subscriber = [
    ['sign-up, check your inbox', async (g) => {
      await g.visit('/signup');
      return signUp(g, reader);
    }],
    ['email confirmed', async (g) => g.visit(await confirmationLink(ctx.outbox, reader.email))],
    ['account, no subscription (after log-in)', async (g) => {
      await g.visit('/login');
      return logIn(g, reader);
    }],
    ['subscribe, signed in', (g) => g.visit(`/subscribe?next=${pick.premium.href}`)],
    ['checkout (sandbox)', (g) => g.follow(g.page.getByRole('button', { name: 'Choose Super Saver' }))],
    ['story, premium, subscriber (after paying)', (g) => payInSandbox(g, '₹3,900'), (s) => !s.paywall && s.premium && /^Welcome/.test(s.welcome)],
    ['story, free, subscriber', (g) => g.visit(pick.free[0].href), (s) => !s.paywall && !s.meterNote && !s.welcome],
    ['story, The Smart Investor, subscriber', (g) => g.visit(pick.smartInvestor), (s) => !s.paywall],
    ['story, archive (1998), subscriber', (g) => g.visit(pick.archive), (s) => !s.paywall],
    ['account, newsletters', (g) => g.visit('/account/newsletters')],
    // The latest edition, then the day before (the demo's editions are of a
    // page or more: a day's stories are few).
    ['e-paper, a page (subscriber)', async (g) => {
      await g.visit('/epaper');
      return g.follow(g.page.getByRole('link', { name: /^Read / }));
    }],
    ['e-paper, the previous day', (g) => g.follow(g.page.getByRole('link', { name: '← Previous day' }))],
    ["e-paper, an article's text", (g) => g.follow(g.page.locator('.epaper-articles a').first())],
    ['search, with printed pages (subscriber)', async (g) => {
      const response = await g.visit('/search?q=the');
      await g.page.locator('.print-results').waitFor({ state: 'attached', timeout: 2000 })
        .catch(() => { throw new Failure('no printed pages among the results'); });
      return response;
    }],
    ['account, subscribed', (g) => g.visit('/account')],
    ['invoice', (g) => g.follow(g.page.locator('.invoices a').first())],
    ['devices', (g) => g.visit('/account/devices')],
    ['account, renewal paused (the pause form)', async (g) => {
      await g.visit('/account');
      await g.page.getByLabel('Pause renewal instead of cancelling, for').selectOption('1');
      const response = await g.follow(g.page.getByRole('button', { name: 'Pause renewal', exact: true }));
      expectMatch(await g.page.locator('main').innerText(), /Renewal paused: you read until/, 'the pause on the account page');
      return response;
    }],
    ['account, the pause lifted', (g) => g.follow(g.page.getByRole('button', { name: 'Resume renewal now' }))],
    ['gifts, the buy form', (g) => g.visit('/gifts')],
    ['gifts, redeem', (g) => g.visit('/gifts/redeem')],
    ['cancel, asked first', async (g) => {
      await g.visit('/account');
      return g.follow(g.page.getByRole('link', { name: 'Cancel renewal' }));
    }],
    ['account, cancelled', (g) => g.follow(g.page.getByRole('button', { name: 'Yes, cancel the renewal' }))],
    // A group subscription: two seats for a company, paid, and a colleague invited.
    ['account, group subscriptions', (g) => g.visit('/account/groups')],
    ['checkout of a group (sandbox)', async (g) => {
      const form = g.page.locator('form.group-buy');
      await form.getByLabel('Plan').selectOption({ label: 'Smart Quarterly — ₹900 per seat' });
      await form.getByLabel('Seats').fill('2');
      await form.getByLabel("Company's legal name").fill('Browser Gates Traders Pvt Ltd');
      await form.getByLabel('GSTIN').fill('27AAPFU0939F1ZV');
      await form.getByLabel('Domain anyone may join from (optional)').fill('gates.example');
      return g.follow(form.getByRole('button', { name: 'Buy and pay' }));
    }],
    ["account, a group (its manager's page)", async (g) => {
      const response = await payInSandbox(g, '₹1,800');
      expectMatch(new URL(g.page.url()).pathname, /^\/account\/groups\/\d+$/, 'after paying for the group');
      return response;
    }],
    ['account, a group with an invitation waiting', async (g) => {
      await g.page.getByLabel('Invite by email').fill(`colleague-${reader.email}`);
      const response = await g.follow(g.page.getByRole('button', { name: 'Send the invitation' }));
      expectMatch(await g.page.locator('main').innerText(), /Invitations waiting/, 'the invitation on the manager\'s page');
      return response;
    }],
  ];
  const staff = [
    ['newsroom, stories', async (g) => {
      await g.visit('/login?next=/newsroom');
      return logIn(g, ctx.staff);
    }],
    // Every page the newsroom's menu links to (an admin sees them all).
    ...['E-paper', 'Insights', 'Staff', 'Sections', 'Agencies', 'Plans', 'Offers', 'Groups', 'Gifts', 'Partner codes', 'Payments to review', 'Refunds', 'House ads', 'Experiments'].map((link) => [
      `newsroom, ${link.toLowerCase()}`,
      async (g) => {
        await g.visit('/newsroom');
        return g.follow(g.page.locator('.newsroom-nav').getByRole('link', { name: link, exact: true }));
      },
    ]),
    // A paywall experiment refused (422, with its reasons), then saved as a draft (never started:
    // the other gates' readers keep the plain meter).
    ['newsroom, an experiment refused', async (g) => {
      const form = g.page.locator('form.new-experiment');
      await form.getByLabel('Name (letters, digits, - and _)').fill('browser-gates');
      await form.locator('input[name="variant_0"]').fill('control');
      await form.locator('input[name="weight_0"]').fill('1');
      g.expectStatus('/newsroom/experiments', 422);
      return g.follow(form.getByRole('button', { name: 'Save as a draft' }), { status: 422 });
    }],
    ['newsroom, an experiment saved as a draft', async (g) => {
      const form = g.page.locator('form.new-experiment');
      await form.locator('input[name="variant_1"]').fill('wall');
      await form.locator('input[name="weight_1"]').fill('1');
      await form.locator('input[name="wall_1"]').fill('3');
      return g.follow(form.getByRole('button', { name: 'Save as a draft' }));
    }],
    // An offer with a code for every plan, from yesterday for a month; its link then shows it on the plans.
    ['newsroom, an offer made', async (g) => {
      await g.visit('/newsroom/offers');
      const form = g.page.locator('form.plan-form');
      const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      await form.getByLabel('Name', { exact: true }).fill('Browser gates sale');
      await form.getByLabel('Code', { exact: true }).fill('GATES25');
      await form.getByLabel('Kind').selectOption('percent');
      await form.getByLabel('Percentage, amount or trial price').fill('25');
      for (const plan of await form.locator('input[name="plan"]').all()) await plan.check();
      await form.getByLabel('First day').fill(day(-1));
      await form.getByLabel('Last day').fill(day(30));
      const response = await g.follow(form.getByRole('button', { name: 'Make offer' }));
      expectMatch(await g.page.locator('main').innerText(), /GATES25/, 'the new offer is listed');
      return response;
    }],
    // Shown to readers who cancel (the retention run below accepts it).
    ['newsroom, the offer shown at cancellation', async (g) => {
      const response = await g.follow(g.page.getByRole('button', { name: 'Show at cancellation GATES25' }));
      expectMatch(await g.page.locator('main').innerText(), /Retention offer/, 'the offer marked for cancellations');
      return response;
    }],
    ['subscribe, an offer link', async (g) => {
      const response = await g.visit('/subscribe?offer=GATES25');
      expect(await g.page.locator('.offer-price').count() > 0, 'the offer link shows the offer on the plans');
      return response;
    }],
    ['newsroom, editing a published story', async (g) => {
      await g.visit('/newsroom');
      return g.follow(g.page.locator('table a[href^="/newsroom/stories/"]').first());
    }],
    ['newsroom, new story', async (g) => {
      await g.visit('/newsroom');
      return g.follow(g.page.locator('.newsroom-nav').getByRole('link', { name: 'New story', exact: true }));
    }],
    ['newsroom, story preview', async (g) => {
      await g.page.getByLabel('Headline', { exact: true }).fill('Browser gates file a draft');
      await g.page.getByLabel('Standfirst', { exact: true }).fill('A story written in headless Chromium.');
      await g.page.getByLabel('Body (Markdown)').fill('First paragraph, with *emphasis*.\n\nSecond paragraph.');
      await g.page.getByLabel('Section', { exact: true }).selectOption({ label: 'Technology' });
      await g.page.getByLabel('Byline', { exact: true }).fill('Asha Menon');
      await g.page.getByLabel('Dateline', { exact: true }).fill('Bengaluru');
      return g.follow(g.page.getByRole('button', { name: 'Preview' }));
    }],
    ['newsroom, draft saved', (g) => g.follow(g.page.getByRole('button', { name: 'Save draft' }))],
    ['newsroom, revision history', (g) => g.follow(g.page.getByRole('link', { name: 'Revision history' }))],
    ['newsroom, a revision', (g) => g.follow(g.page.locator('tr.revision th a').first())],
    ['newsroom, newsletters', (g) => g.visit('/newsroom/newsletters')],
    ['newsroom, composing a newsletter', (g) => g.follow(g.page.getByRole('link', { name: 'Compose an issue' }).first())],
    ['newsroom, newsletter stories found', async (g) => {
      const form = g.page.locator('form.compose');
      await form.getByLabel('Subject', { exact: true }).fill('Browser gates compose an issue');
      await form.getByLabel('Find stories in the archive').fill('India');
      return g.follow(form.getByRole('button', { name: 'Search', exact: true }));
    }],
    ['newsroom, a story added to the newsletter', (g) => g.follow(g.page.locator('form.compose').getByRole('button', { name: 'Add', exact: true }).first())],
  ];
  // The e-paper's upload on a phone as well: an editor may load an edition from one.
  const staffPhone = [
    ['newsroom, e-paper upload', async (g) => {
      await g.visit('/login?next=/newsroom/epaper');
      return logIn(g, ctx.staff);
    }],
  ];
  // After the newsroom marked GATES25: a new subscriber goes to cancel and is offered it.
  const stayer = newReader('gates-stay');
  const retention = [
    ['cancel, with the retention offer', async (g) => {
      await g.visit('/signup');
      await signUp(g, stayer);
      await g.visit(await confirmationLink(ctx.outbox, stayer.email));
      await g.visit('/login');
      await logIn(g, stayer);
      await g.visit('/subscribe');
      await g.follow(g.page.getByRole('button', { name: 'Choose Smart Quarterly' }));
      await payInSandbox(g, '₹900');
      await g.visit('/account');
      const response = await g.follow(g.page.getByRole('link', { name: 'Cancel renewal' }));
      expectMatch(await g.page.locator('.retention-offer').innerText(), /^Browser gates sale: stay with 25% off/, 'the retention offer at cancellation');
      return response;
    }],
    ['account, the retention offer accepted', (g) => g.follow(g.page.getByRole('button', { name: 'Stay with the offer' }))],
  ];
  return { anonymous, subscriber, staff, staffPhone, retention };
}

/** Finds the stories the gates need, as a visitor would, in its own profile. */
async function pickStories(ctx) {
  const scout = await ctx.open('gates-scout', DESKTOP);
  const free = await findStories(scout, { count: METER_LIMIT + 1, premium: false, maxAgeDays: 29 });
  const [premium] = await findStories(scout, { count: 1, premium: true, maxAgeDays: 29 });
  await scout.visit('/smart-investor');
  const smartInvestor = await scout.page.getAttribute('li.card a', 'href');
  await scout.visit('/archive/1998/06');
  await scout.follow(scout.page.locator('.archive-links a').first());
  const archive = await scout.page.getAttribute('li.card a', 'href');
  await scout.close();
  return { free, premium, smartInvestor, archive };
}

/**
 * Runs every page type's gate; returns one result per page (name, file,
 * problems) and writes the server's HTML of each into `pagesDir`.
 */
export async function runGates(ctx, pagesDir) {
  const results = [];
  let pick;
  try {
    pick = await pickStories(ctx);
  } catch (error) {
    return [{ name: 'finding stories for the gates', problems: [error.message] }];
  }
  const { anonymous, subscriber, staff, staffPhone, retention } = pageTypes(ctx, pick);
  // The subscriber's and the newsroom's steps build on each other: after a
  // failure the rest of that reader's pages are reported as not checked.
  const runs = [
    ['gates-visitor', DESKTOP, anonymous, false],
    ['gates-subscriber', PHONE, subscriber, true],
    ['gates-newsroom', DESKTOP, staff, true],
    ['gates-newsroom-phone', PHONE, staffPhone, true],
    ['gates-retention', DESKTOP, retention, true],
  ];
  for (const [who, profile, list, sequential] of runs) {
    let blocked = null;
    const device = await ctx.open(who, profile);
    for (const [name, reach, expectStory] of list) {
      const result = { name: `${name} (${profile.name})`, problems: [] };
      const started = Date.now();
      results.push(result);
      if (blocked) {
        result.problems.push(`not checked: it is reached through "${blocked}", which failed`);
        continue;
      }
      try {
        const response = await reach(device);
        expect(response, 'no page was loaded');
        await device.page.waitForLoadState('load');
        const html = await response.text();
        result.path = new URL(device.page.url()).pathname + new URL(device.page.url()).search;
        result.file = `${String(results.length).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '')}.html`.toLowerCase();
        await writeFile(join(pagesDir, result.file), html);
        if (expectStory) {
          const story = await readStory(device.page);
          expect(expectStory(story), `the story is not what this page type should show: ${JSON.stringify(story).slice(0, 300)}`);
        }
        result.problems.push(...needsJavaScript(html).map((p) => `needs JavaScript: ${p}`));
        // The readers' forms share one style: 16px fields, full width on a phone.
        if (!name.startsWith('newsroom')) result.problems.push(...(await formProblems(device.page, profile.isMobile)).map((p) => `form: ${p}`));
        const axe = await axeViolations(device.page);
        result.problems.push(...axe.blocking.map((v) => `axe: ${v}`));
        result.notes = axe.minor;
        await device.shot(name);
        result.problems.push(...device.errors.splice(0));
      } catch (error) {
        result.problems.push(error instanceof Failure ? error.message : `${error.message}`);
        device.errors.splice(0);
        if (sequential) blocked = name;
      }
      result.seconds = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    }
  }
  results.push(await withoutJavaScript(ctx, pick));
  return results;
}

/**
 * A reader with JavaScript switched off signs up, confirms, logs in,
 * subscribes, pays, reads the story, and cancels: every form works as plain
 * HTML.
 */
async function withoutJavaScript(ctx, pick) {
  const result = { name: 'sign-up, log-in, subscribe, pay and cancel with JavaScript disabled', problems: [] };
  const started = Date.now();
  const device = await ctx.open('no-javascript', DESKTOP, { javaScript: false });
  const { page } = device;
  try {
    const reader = newReader('no-js');
    await device.visit('/signup');
    await signUp(device, reader);
    await device.visit(await confirmationLink(ctx.outbox, reader.email));
    const next = pick.premium.href;
    // The paywall's plan card is a plain form: it works without JavaScript.
    await device.visit(next);
    await device.follow(page.locator('.paywall').getByRole('button', { name: 'Choose Smart Quarterly' }));
    const login = page.locator('form.login');
    await login.getByLabel('Email').fill(reader.email);
    await login.getByLabel('Password').fill(reader.password);
    await device.follow(login.getByRole('button', { name: 'Log in and continue' }));
    expectMatch(await page.textContent('h1'), /^Pay for Smart Quarterly$/, 'checkout without JavaScript');
    await payInSandbox(device, '₹900');
    expect(new URL(page.url()).pathname === next, `after paying without JavaScript the reader is on ${page.url()}`);
    const story = await readStory(page);
    expect(!story.paywall && story.paragraphs.length > 1, 'without JavaScript the subscriber cannot read the premium story');
    await device.shot('premium-story');
    await device.visit('/account');
    await device.follow(page.getByRole('link', { name: 'Cancel renewal' }));
    await device.follow(page.getByRole('button', { name: 'Yes, cancel the renewal' }));
    expectMatch(await page.textContent('.account'), /Smart Quarterly — cancelled.*Ends on [A-Z][a-z]{2} \d{2} \d{4}/s, 'cancelling without JavaScript');
    await device.shot('cancelled');
    await device.follow(page.getByRole('button', { name: 'Log out' }));
    expect(new URL(page.url()).pathname === '/', `log-out without JavaScript went to ${page.url()}`);
    result.problems.push(...device.errors.splice(0));
  } catch (error) {
    result.problems.push(error.message);
  }
  result.seconds = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  return result;
}
