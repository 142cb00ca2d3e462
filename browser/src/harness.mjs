// The browser side of the harness: Debian's Chromium driven by playwright-core,
// one fresh profile (user-data-dir) per simulated device, with every console
// error, page error and failed request recorded, screenshots of each step, and
// the failures the journeys and gates throw.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

/** Debian's Chromium; Playwright never downloads a browser here. */
const CHROMIUM = process.env.MASTHEAD_CHROMIUM || '/usr/bin/chromium';

/**
 * Headless, and quiet on a closed network: without the background-networking
 * flags Chromium keeps trying (and failing) to reach Google's services.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** How long one navigation or action may take before the step fails. */
const STEP_TIMEOUT_MS = 15_000;

/** A desktop browser: Chromium's own user agent (Linux). */
export const DESKTOP = { name: 'desktop', viewport: { width: 1280, height: 800 } };

/** A phone: 390×844 CSS pixels, touch, and a mobile user agent. */
export const PHONE = {
  name: 'phone',
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
};

/** What a journey or gate throws when the site does not do what it should. */
export class Failure extends Error {}

/** Fails with `message` unless `condition` holds. */
export function expect(condition, message) {
  if (!condition) throw new Failure(message);
}

/** Fails unless `text` matches `pattern`, quoting what was there instead. */
export function expectMatch(text, pattern, what) {
  const shown = String(text ?? '').replace(/\s+/g, ' ').trim();
  expect(pattern.test(shown), `${what}: expected ${pattern}, got ${JSON.stringify(shown.slice(0, 300))}`);
}

/**
 * One simulated device: a browser with its own fresh profile directory, so
 * cookies and history are its own, as on a second phone or laptop.
 */
export class Device {
  /**
   * @param {string} label names the device in messages and screenshot files
   * @param {object} profile DESKTOP or PHONE
   * @param {{baseURL: string, shots: Shots, javaScript?: boolean, args?: string[]}} options
   *   (`args`: more Chromium flags, as Lighthouse's debugging port)
   */
  static async open(label, profile, { baseURL, shots, javaScript = true, args = [] }) {
    const userDataDir = await mkdtemp(join(tmpdir(), 'masthead-chromium-'));
    const { name: _name, ...contextOptions } = profile;
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, ...args],
      baseURL,
      javaScriptEnabled: javaScript,
      ...contextOptions,
    });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    return new Device(label, profile, context, userDataDir, shots, baseURL);
  }

  constructor(label, profile, context, userDataDir, shots, baseURL) {
    this.label = label;
    this.baseURL = baseURL;
    this.profile = profile;
    this.context = context;
    this.userDataDir = userDataDir;
    this.shots = shots;
    /** Console errors, page errors and failed requests not expected by a step. */
    this.errors = [];
    /** Document URLs a step navigated to expecting this error status. */
    this.expectedStatus = new Map();
    context.on('page', (page) => this.watch(page));
    for (const page of context.pages()) this.watch(page);
    this.page = context.pages()[0];
  }

  watch(page) {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      // Chromium logs a document's own 4xx status as a console error; a step
      // that asks for a 404 or a 422 on purpose expects exactly that one.
      const status = this.expectedStatus.get(message.location().url);
      if (status && text.startsWith(`Failed to load resource: the server responded with a status of ${status} `)) return;
      const source = message.location().url;
      this.errors.push(`console error on ${page.url()}: ${text}${source && source !== page.url() ? ` (${source})` : ''}`);
    });
    page.on('pageerror', (error) => this.errors.push(`script error on ${page.url()}: ${error.message}`));
    page.on('requestfailed', (request) => {
      // A picture still loading when the journey moves on is cancelled by
      // the browser (net::ERR_ABORTED), not refused by the server.
      if (request.resourceType() === 'image' && request.failure()?.errorText === 'net::ERR_ABORTED') return;
      this.errors.push(`request failed on ${page.url()}: ${request.url()} (${request.failure()?.errorText})`);
    });
  }

  /** Opens `path` in this device's tab and checks the HTTP status. */
  async visit(path, { status = 200, page = this.page } = {}) {
    const url = new URL(path, this.baseURL).href;
    if (status !== 200) this.expectedStatus.set(url, status);
    const response = await page.goto(path, { waitUntil: 'load' });
    expect(response, `${this.label}: no response for ${path}`);
    expect(
      response.status() === status,
      `${this.label}: GET ${path} answered ${response.status()}, expected ${status}`,
    );
    await this.checkLayout(page);
    return response;
  }

  /**
   * Clicks `locator` (a link or a submit button) and waits for the page it
   * leads to; returns the final document's response.
   */
  async follow(locator, { status = 200, page = this.page } = {}) {
    const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
    expect(response, `${this.label}: the click led to no new page (at ${page.url()})`);
    expect(
      response.status() === status,
      `${this.label}: ${response.request().method()} ${new URL(response.url()).pathname} answered ${response.status()}, expected ${status}`,
    );
    await this.checkLayout(page);
    return response;
  }

  /** Sets an expected error status for the document at `url` (for form posts). */
  expectStatus(url, status) {
    this.expectedStatus.set(new URL(url, this.baseURL).href, status);
  }

  /**
   * A phone page must fit its width: anything wider than the viewport makes
   * the reader scroll sideways.
   */
  async checkLayout(page = this.page) {
    if (!this.profile.isMobile) return;
    const overflow = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > width + 1)
        .slice(0, 3)
        .map((e) => `<${e.tagName.toLowerCase()} class="${e.className}">`);
      return { scroll: document.documentElement.scrollWidth, width, wide };
    }).catch(() => null); // JavaScript disabled: nothing to measure with
    if (!overflow) return;
    expect(
      overflow.scroll <= overflow.width,
      `${this.label}: ${page.url()} is ${overflow.scroll}px wide on a ${overflow.width}px phone screen (${overflow.wide.join(', ')})`,
    );
  }

  /** A full-page screenshot named after the step. */
  async shot(step, page = this.page) {
    await this.shots.take(page, `${this.label}-${step}`);
  }

  /** Fails if anything went wrong in the console since the last call. */
  expectNoErrors(where) {
    const errors = this.errors.splice(0);
    expect(errors.length === 0, `${where}: ${errors.join('; ')}`);
  }

  async close() {
    await this.context.close().catch(() => {});
    await rm(this.userDataDir, { recursive: true, force: true });
  }
}

/** Numbered screenshots in one directory, in the order they were taken. */
export class Shots {
  constructor(dir) {
    this.dir = dir;
    this.count = 0;
  }

  async take(page, name) {
    this.count += 1;
    const file = `${String(this.count).padStart(3, '0')}-${name.replace(/[^a-z0-9-]+/gi, '-')}.png`;
    // As a reader sees the page once its web fonts have arrived (they swap in):
    // asked of the page where it runs script, else by waiting for the network to settle.
    await page.evaluate(() => document.fonts.ready.then(() => true))
      .catch(() => page.waitForLoadState('networkidle', { timeout: 2000 }))
      .catch(() => {});
    await page.screenshot({ path: join(this.dir, file), fullPage: true });
    return file;
  }
}
