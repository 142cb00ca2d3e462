// The readers' journeys of issue 8, in real headless Chromium. They tell one
// story: a visitor meets the paywall (on a desktop and on a phone), signs up
// and subscribes, signs in on a second device and signs the first out,
// cancels, and searches the archive. A journey that needs an earlier one's
// reader fails, naming it, when that one failed.

import { DESKTOP, Device, PHONE, expect, expectMatch } from './harness.mjs';
import {
  ARCHIVE_AGE_DAYS,
  INVOICE_NAME,
  METER_LIMIT,
  confirmEmail,
  expectCatalogue,
  findStories,
  formProblems,
  logIn,
  meterNote,
  newReader,
  payInSandbox,
  pdfText,
  planCards,
  readStory,
} from './site.mjs';

/**
 * Journey 6 on one device: the home page's cards carry pictures (a WebP
 * srcset, a JPEG fallback, width and height, loaded lazily); the first
 * pictured story shows its picture whole with caption and credit, and the
 * page does not shift while it loads (cumulative layout shift, measured by
 * the browser, scrolled to the end).
 */
async function picturesHoldTheirPlace(ctx, profile) {
  const device = await ctx.open(`6-${profile.name}`, profile);
  const { page } = device;
  await device.visit('/');
  const cards = await page.$$eval('li.card picture', (pictures) =>
    pictures.map((p) => {
      const img = p.querySelector('img');
      return {
        href: p.closest('li.card').querySelector('h3 a').getAttribute('href'),
        webp: p.querySelector('source[type="image/webp"]')?.getAttribute('srcset') ?? '',
        width: img.getAttribute('width'),
        height: img.getAttribute('height'),
        loading: img.getAttribute('loading'),
      };
    }),
  );
  expect(cards.length > 0, 'no card on the home page has a picture (the demo charts its market stories)');
  for (const card of cards) {
    expectMatch(card.webp, /^\/media\/[0-9a-f]{64}\.webp \d+w(, \/media\/[0-9a-f]{64}\.webp \d+w)*$/, `the WebP srcset of ${card.href}'s card`);
    expect(Number(card.width) > 0 && Number(card.height) > 0 && card.loading === 'lazy', `${card.href}'s card picture: ${JSON.stringify(card)}`);
  }
  await device.shot('home-pictures');
  // The story, watched for layout shifts from the first paint.
  await page.addInitScript(() => {
    window.__shift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await device.visit(cards[0].href);
  const figure = await page.$eval('figure.lead-image', (f) => {
    const img = f.querySelector('img');
    return {
      srcset: f.querySelector('source[type="image/webp"]')?.getAttribute('srcset') ?? '',
      width: img.getAttribute('width'),
      height: img.getAttribute('height'),
      loaded: img.complete && img.naturalWidth > 0,
      caption: f.querySelector('figcaption')?.textContent.trim() ?? '',
    };
  });
  expect(figure.srcset.split(', ').length >= 2 && Number(figure.width) > 0 && Number(figure.height) > 0, `the lead picture of ${cards[0].href}: ${JSON.stringify(figure)}`);
  expect(figure.loaded, `the lead picture of ${cards[0].href} did not load`);
  expectMatch(figure.caption, /over the year to .+ Graphic: Masthead demo desk$/, 'the caption and credit');
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.waitForTimeout(500);
  const shift = await page.evaluate(() => window.__shift);
  expect(shift < 0.01, `the story page shifted while loading: cumulative layout shift ${shift.toFixed(3)}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await device.shot('story-with-picture');
  device.expectNoErrors(device.label);
}

/** The story journey 7 writes in the newsroom: Hindi, its language left to its script. */
const HINDI = {
  headline: 'भारत की अर्थव्यवस्था में तेज़ी',
  standfirst: 'रिज़र्व बैंक ने ब्याज दरें घटाईं',
  body: 'मुंबई में शेयर बाज़ार ने आज नया रिकॉर्ड बनाया।\n\nविशेषज्ञों का कहना है कि महंगाई पर नियंत्रण से निवेशकों का भरोसा बढ़ा है।',
};

/** Counts layout shifts on every page of `page` from its first paint (read `window.__shift`). */
async function watchShifts(page) {
  await page.addInitScript(() => {
    window.__shift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/**
 * Journey 7 on one device. Once, an editor writes a story in Hindi in the
 * newsroom (the language left to its script) and publishes it. Then the
 * home page leads with the newest of the ten newest stories that has a
 * picture (a WebP srcset, width and height, fetched at once), or with the
 * newest, bare, when none has, and does not shift while it loads;
 * and the Hindi story's article says `lang="hi"` in a page whose frame
 * stays English.
 */
async function hindiStoryAndPicturedLead(ctx, state, profile) {
  if (!state.hindi) {
    const desk = await ctx.open('7-newsroom', DESKTOP);
    const { page } = desk;
    await desk.visit('/login');
    await logIn(desk, ctx.staff);
    await desk.visit('/newsroom/stories/new');
    await page.locator('#headline').fill(HINDI.headline);
    await page.locator('#standfirst').fill(HINDI.standfirst);
    await page.locator('#body').fill(HINDI.body);
    await page.locator('#section').selectOption('economy');
    await page.locator('#byline').fill('प्रिया रमन');
    expect((await page.locator('#lang').inputValue()) === '', 'the editor leaves the language to the script unless chosen');
    await desk.shot('newsroom-hindi-story');
    await desk.follow(page.getByRole('button', { name: 'Publish now' }));
    state.hindi = await page.locator('dl.times a').first().getAttribute('href');
    expectMatch(state.hindi, /^\/economy\/[a-z0-9-]+-\d+$/, 'the Hindi story\'s address (transliterated)');
    desk.expectNoErrors(desk.label);
  }
  const device = await ctx.open(`7-${profile.name}`, profile);
  const { page } = device;
  await watchShifts(page);
  await device.visit('/');
  const lead = await page.$eval('article.lead', (article) => {
    const img = article.querySelector('picture img');
    return {
      pictured: article.classList.contains('pictured'),
      href: article.querySelector('h2 a')?.getAttribute('href'),
      headline: article.querySelector('h2 a')?.textContent.trim(),
      srcset: article.querySelector('picture source[type="image/webp"]')?.getAttribute('srcset') ?? '',
      width: img?.getAttribute('width'),
      height: img?.getAttribute('height'),
      loading: img?.getAttribute('loading') ?? null,
      loaded: Boolean(img?.complete && img.naturalWidth > 0),
    };
  });
  // The rule: the newest of the ten newest stories that has a picture leads
  // (the demo's pictured stories are its market stories with charts).
  const answer = await page.request.get('/api/v1/articles?limit=10');
  const newest = (await answer.json()).articles.map((a) => new URL(a.url).pathname);
  const pictured = await page.$$eval('li.card', (cards) =>
    cards.filter((c) => c.querySelector('picture')).map((c) => c.querySelector('h3 a').getAttribute('href')),
  );
  const due = newest.find((href) => (href === lead.href ? lead.pictured : pictured.includes(href)));
  expect(newest[0] === state.hindi, `the Hindi story is the newest: ${newest.join(', ')}`);
  if (due === undefined) {
    // The demo charts its newest market stories; on a day when none is among
    // the ten newest, the rule's fallback holds: the newest story leads, bare.
    expect(lead.href === state.hindi && !lead.pictured, `no picture among the ten newest, so the newest leads without one: ${JSON.stringify(lead)}`);
  } else {
    expect(lead.href === due && lead.pictured, `the lead should be ${due}, the newest story with a picture; it is ${JSON.stringify(lead)}`);
    expectMatch(lead.srcset, /^\/media\/[0-9a-f]{64}\.webp \d+w(, \/media\/[0-9a-f]{64}\.webp \d+w)+$/, 'the lead picture\'s WebP srcset');
    expect(Number(lead.width) > 0 && Number(lead.height) > 0 && lead.loading === null && lead.loaded, `the lead picture: ${JSON.stringify(lead)}`);
  }
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.waitForTimeout(500);
  const shift = await page.evaluate(() => window.__shift);
  expect(shift < 0.01, `the home page shifted while loading: cumulative layout shift ${shift.toFixed(3)}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await device.shot('home-lead-picture');
  await device.visit(state.hindi);
  const story = await readStory(page);
  const frame = await page.evaluate(() => document.documentElement.getAttribute('lang'));
  expect(story.headline === HINDI.headline, `the Hindi story shows ${JSON.stringify(story.headline)}`);
  expect(story.lang === 'hi' && frame === 'en', `the Hindi story's article says lang=${story.lang} in a page of lang=${frame}`);
  expect(!story.paywall && story.paragraphs.length === 2, `the Hindi story: ${JSON.stringify(story)}`);
  await device.shot('hindi-story');
  device.expectNoErrors(device.label);
}

/** One line of the report: `name` and the work it does. */
function journey(id, name, run) {
  return { id, name, run };
}

/** What a later journey needs from an earlier one, or a failure naming it. */
function needs(state, key, from) {
  expect(state[key], `needs ${key} from ${from}, which did not finish`);
  return state[key];
}

/**
 * Journey 1 on one device: a new visitor reads METER_LIMIT stories from the
 * home page; the next one is withheld behind the paywall with the plans.
 */
async function meterRunsOut(ctx, profile) {
  const visitor = await ctx.open(`j1-${profile.name}`, profile);
  await visitor.visit('/');
  await visitor.shot('home');
  // A visitor's header offers a subscription, on the pages kept whole as on the others.
  await visitor.page.locator('header.masthead a.subscribe-button', { hasText: 'Subscribe' }).waitFor();
  for (const path of ['/search', '/epaper', '/newsletters']) {
    await visitor.visit(path);
    await visitor.page.locator('header.masthead a.subscribe-button', { hasText: 'Subscribe' }).waitFor();
  }
  await visitor.shot('newsletters');
  if (profile.isMobile) await expectSectionBarScrolls(visitor.page);
  // Recent stories only: older ones are archive-only and never metered.
  const stories = await findStories(visitor, { count: METER_LIMIT + 1, premium: false, maxAgeDays: ARCHIVE_AGE_DAYS - 1 });
  const { page } = visitor;
  for (const [i, story] of stories.entries()) {
    if (new URL(page.url()).pathname !== story.listing) await visitor.visit(story.listing);
    await visitor.follow(page.locator(`a[href="${story.href}"]`).first());
    const shown = await readStory(page);
    expect(shown.headline === story.headline, `story ${i + 1}: page headline ${JSON.stringify(shown.headline)}, link said ${JSON.stringify(story.headline)}`);
    if (i < METER_LIMIT) {
      expect(!shown.paywall, `story ${i + 1} of ${METER_LIMIT} free ones shows the paywall: ${shown.paywall}`);
      expectMatch(shown.meterNote, new RegExp(`^${meterNote(i + 1)}$`), `story ${i + 1}'s meter note`);
      expect(shown.paragraphs.length > 1, `story ${i + 1} is free but shows ${shown.paragraphs.length} paragraph(s)`);
      await visitor.shot(`story-${i + 1}-of-${METER_LIMIT}`);
      continue;
    }
    // The one after the limit: headline and first paragraph, then the paywall.
    expectMatch(shown.paywall, /^You've reached your limit of 10 free stories this month\.$/, `story ${i + 1}'s paywall heading`);
    expect(shown.paragraphs.length === 1, `the withheld story shows ${shown.paragraphs.length} paragraphs, expected only the first`);
    expect(await page.locator('.paywall').isVisible(), 'the paywall panel is not visible');
    await page.getByRole('link', { name: 'Subscribe to read the full story →' }).waitFor();
    await page.getByRole('link', { name: 'Already subscribed? Log in' }).waitFor();
    expectCatalogue(await planCards(page, '.paywall'), 'the paywall');
    expectMatch(await page.textContent('.paywall .renews'), /^Renews automatically, cancel anytime$/, 'the paywall');
    for (const plan of await page.locator('.paywall .plan').all()) {
      await plan.scrollIntoViewIfNeeded();
      expect(await plan.isVisible(), `a plan card is not visible on the ${profile.name}`);
    }
    await visitor.shot('paywall');
    await page.locator('.paywall').screenshot({ path: `${ctx.shots.dir}/${visitor.label}-paywall-panel.png` });
    visitor.expectNoErrors(visitor.label);
    return { visitor, story, withheldHtml: await page.content() };
  }
  throw new Error('unreachable');
}

/**
 * The phone's section bar scrolls sideways: it must say so (the "›" over a
 * fading edge) and rest on whole words (scroll snapping).
 */
async function expectSectionBarScrolls(page) {
  const bar = await page.evaluate(() => {
    const nav = document.querySelector('header nav.sections');
    const list = nav?.querySelector('ul');
    if (!list) return null;
    return {
      scrolls: list.scrollWidth > list.clientWidth,
      hint: getComputedStyle(nav, '::after').content,
      snap: getComputedStyle(list).scrollSnapType,
    };
  });
  expect(bar, 'the phone has no section bar');
  expect(bar.scrolls, 'the phone\'s section bar does not scroll (the check needs more sections than fit)');
  expect(bar.hint === '"›"', `the scrolling section bar shows no sign that it scrolls (::after is ${bar.hint})`);
  expect(/^x\b/.test(bar.snap), `the section bar does not snap to whole sections (scroll-snap-type ${bar.snap})`);
}

/**
 * Journey 2 on the device journey 1 left at the paywall: choose a plan on
 * the paywall itself, create the account on the way, confirm the address
 * from the mail, pay in the sandbox, land back on the story, welcomed, and
 * read it whole; then a premium story. The `/subscribe` page's own plans
 * are checked on the way in journey 2 on the desktop.
 */
async function subscribeFromPaywall(ctx, from) {
  const { visitor, story, withheldHtml } = from;
  const { page } = visitor;
  if (!visitor.profile.isMobile) {
    await visitor.follow(page.getByRole('link', { name: 'Subscribe to read the full story →' }));
    const subscribe = new URL(page.url());
    expect(
      subscribe.pathname === '/subscribe' && subscribe.searchParams.get('next') === story.href,
      `the paywall's subscribe link went to ${subscribe.pathname}${subscribe.search}, not /subscribe?next=${story.href}`,
    );
    expectCatalogue(await planCards(page, '.subscribe'), 'the subscribe page');
    await visitor.shot('subscribe');
    await visitor.visit(story.href);
  }

  // Signed out, the reader presses a plan card on the paywall and makes the
  // account on the way to paying.
  await visitor.follow(page.locator('.paywall').getByRole('button', { name: 'Choose Smart Essential' }));
  expectMatch(await page.textContent('h1'), /^Your account for Smart Essential$/, 'the account step from the paywall card');
  const problems = await formProblems(page, visitor.profile.isMobile);
  expect(problems.length === 0, `the account step's forms: ${problems.join('; ')}`);
  await visitor.shot('sign-up');
  const reader = newReader(`reader-${visitor.profile.name}`);
  const signup = page.locator('form.signup');
  await signup.getByLabel('Email').fill(reader.email);
  await signup.getByLabel('Password').fill(reader.password);
  await visitor.follow(signup.getByRole('button', { name: 'Create account and continue' }));
  expectMatch(new URL(page.url()).pathname, /^\/checkout\/sandbox\/\d+$/, 'the checkout address');
  expectMatch(await page.textContent('h1'), /^Pay for Smart Essential$/, 'the checkout heading');
  const checkoutProblems = await formProblems(page, visitor.profile.isMobile);
  expect(checkoutProblems.length === 0, `the checkout's form: ${checkoutProblems.join('; ')}`);
  await visitor.shot('checkout');
  // The confirmation mail arrived; the reader opens its link in another tab.
  await confirmEmail(visitor, ctx.outbox, reader);

  await payInSandbox(visitor, '₹2,700');
  expect(new URL(page.url()).pathname === story.href, `after paying the reader is on ${page.url()}, not back on ${story.href}`);
  const whole = await readStory(page);
  expect(!whole.paywall, `the subscriber still sees the paywall: ${whole.paywall}`);
  expect(!whole.meterNote, `the subscriber's story still shows a meter note: ${whole.meterNote}`);
  expectMatch(whole.welcome, /^Welcome, and thank you for subscribing\./, 'the story the new subscriber paid for');
  expect(
    (await page.locator('header.masthead a.subscribe-button').count()) === 0,
    'the subscriber\'s header still offers a subscription',
  );
  expect(whole.paragraphs.length > 1, `the subscriber sees ${whole.paragraphs.length} paragraph(s) of the story`);
  // The paywall was decided on the server: the withheld page never carried the rest.
  for (const paragraph of whole.paragraphs.slice(1)) {
    expect(!withheldHtml.includes(paragraph.slice(0, 60)), `the withheld page already carried a later paragraph: ${paragraph.slice(0, 60)}`);
  }
  await visitor.shot('story-whole');

  const [premium] = await findStories(visitor, { count: 1, premium: true });
  await visitor.follow(page.locator(`a[href="${premium.href}"]`).first());
  const shown = await readStory(page);
  expect(shown.premium, `${premium.href} has no Premium badge`);
  expect(!shown.paywall && shown.paragraphs.length > 1, `the subscriber cannot read the premium story ${premium.href}: ${shown.paywall}`);
  await visitor.shot('premium-story');

  // The tax invoice, as a page and as a PDF whose text carries the buyer's
  // Devanagari name and the amounts with the rupee sign.
  await visitor.visit('/account');
  await visitor.follow(page.locator('a[href^="/account/invoices/"]').first());
  expectMatch(await page.textContent('h1'), /^Tax invoice \S+\/\d{6}$/, 'the invoice page');
  await visitor.shot('invoice');
  const text = await pdfText(page, await page.getByRole('link', { name: 'Download PDF' }).getAttribute('href'));
  for (const needle of [INVOICE_NAME, 'Tax Invoice', '₹2,288.14', '₹2,700.00']) {
    expect(text.includes(needle), `the invoice PDF's text has no ${needle}: ${text}`);
  }
  visitor.expectNoErrors(visitor.label);
  return { reader, device: visitor, premium: premium.href };
}

/** The journeys, in order; each gets the shared context and state. */
export const journeys = [
  journey('1-desktop', 'a new visitor reads 10 stories; the 11th shows the paywall with the three plans (desktop)', async (ctx, state) => {
    state.desktopVisitor = await meterRunsOut(ctx, DESKTOP);
  }),
  journey('1-phone', 'the same at a phone viewport, 390×844', async (ctx, state) => {
    state.phoneVisitor = await meterRunsOut(ctx, PHONE);
  }),
  journey('2-desktop', 'signs up from the paywall, subscribes in the sandbox, reads the story whole, then a premium story (desktop)', async (ctx, state) => {
    state.subscriber = await subscribeFromPaywall(ctx, needs(state, 'desktopVisitor', 'journey 1-desktop'));
  }),
  journey('2-phone', 'the same on the phone', async (ctx, state) => {
    await subscribeFromPaywall(ctx, needs(state, 'phoneVisitor', 'journey 1-phone'));
  }),
  journey('3', 'logs in on a second device, sees both devices, signs the first out; the first is logged out on its next page', async (ctx, state) => {
    const { reader, device: first, premium } = needs(state, 'subscriber', 'journey 2-desktop');
    const second = await ctx.open('j3-second-device', PHONE);
    state.secondDevice = second;
    const { page } = second;
    await second.visit('/login');
    await logIn(second, reader);
    await second.follow(page.getByRole('link', { name: 'Your devices' }));
    const rows = await page.$$eval('tr.device', (trs) =>
      trs.map((tr) => ({ name: tr.querySelector('th').textContent.replace(/\s+/g, ' ').trim(), current: tr.hasAttribute('aria-current') })),
    );
    expect(rows.length === 2, `the devices page lists ${rows.length} devices: ${JSON.stringify(rows)}`);
    const [here, other] = [rows.find((r) => r.current), rows.find((r) => !r.current)];
    expect(here && /Android/.test(here.name) && /This device/.test(here.name), `this device is not the Android phone: ${JSON.stringify(rows)}`);
    expect(other && /Linux/.test(other.name), `the other device is not the Linux desktop: ${JSON.stringify(rows)}`);
    await second.shot('devices');
    await second.follow(page.locator('tr.device:not([aria-current]) button', { hasText: 'Sign out' }));
    expect((await page.locator('tr.device').count()) === 1, 'the first device is still listed after signing it out');
    await second.shot('first-device-signed-out');

    // The first device's next page: the account link asks it to log in again.
    await first.follow(first.page.getByRole('link', { name: 'Your account' }));
    expectMatch(new URL(first.page.url()).pathname, /^\/login$/, 'the signed-out device asking for /account');
    await first.shot('logged-out');
    await first.visit(premium);
    expect((await readStory(first.page)).paywall, 'the signed-out device still reads the premium story');
    second.expectNoErrors(second.label);
    first.expectNoErrors(first.label);
  }),
  journey('4', 'cancels, sees "Ends on <date>", still reads', async (ctx, state) => {
    const { premium } = needs(state, 'subscriber', 'journey 2-desktop');
    const device = needs(state, 'secondDevice', 'journey 3');
    const { page } = device;
    await device.visit('/account');
    const before = (await page.textContent('.account')).replace(/\s+/g, ' ');
    expectMatch(before, /Smart Essential — active/, 'the account page before cancelling');
    const renews = before.match(/Renews on ([A-Z][a-z]{2} \d{2} \d{4}): the next charge is ₹2,700 for Smart Essential/);
    expect(renews, `the account page does not say when it renews and for how much: ${before.slice(0, 300)}`);
    expect(before.split(renews[1]).length === 2, `the account page repeats the renewal date: ${before.slice(0, 400)}`);
    // Cancelling asks first, and says what it will mean.
    await device.follow(page.getByRole('link', { name: 'Cancel renewal' }));
    expectMatch(await page.textContent('h1'), /^Cancel the renewal of Smart Essential\?$/, 'the question before cancelling');
    expectMatch(await page.textContent('.account'), new RegExp(`It will not renew on ${renews[1]}`), 'the question before cancelling');
    await device.shot('cancel-asked');
    await device.follow(page.getByRole('button', { name: 'Yes, cancel the renewal' }));
    const after = (await page.textContent('.account')).replace(/\s+/g, ' ');
    expectMatch(after, /Smart Essential — cancelled/, 'the account page after cancelling');
    expectMatch(after, new RegExp(`Ends on ${renews[1]}`), 'the account page after cancelling');
    expectMatch(await page.textContent('.notice-done'), /^Your subscription is cancelled: it will not renew/, 'what cancelling did');
    await page.getByRole('button', { name: 'Resume renewal' }).waitFor();
    await device.shot('cancelled');
    await device.visit(premium);
    const shown = await readStory(page);
    expect(!shown.paywall && shown.paragraphs.length > 1, `after cancelling the reader cannot read ${premium}: ${shown.paywall}`);
    await device.shot('still-reads');
    device.expectNoErrors(device.label);
  }),
  journey('6-desktop', 'the home page\'s cards carry pictures; a pictured story shows its chart with caption and credit, and does not shift (desktop)', (ctx) => picturesHoldTheirPlace(ctx, DESKTOP)),
  journey('6-phone', 'the same on the phone', (ctx) => picturesHoldTheirPlace(ctx, PHONE)),
  journey('5', 'searches the archive and opens a 1998 story', async (ctx, state) => {
    const device = needs(state, 'secondDevice', 'journey 3');
    const { page } = device;
    await device.follow(page.locator('header.masthead').getByRole('link', { name: 'Search' }));
    await page.getByLabel('Words or a "phrase in quotes"').fill('India');
    await page.getByLabel('From').fill('1998-01-01');
    await page.getByLabel('to', { exact: true }).fill('1998-12-31');
    const searchProblems = await formProblems(page, device.profile.isMobile);
    expect(searchProblems.length === 0, `the search form: ${searchProblems.join('; ')}`);
    await device.follow(page.getByRole('button', { name: 'Search' }));
    expectMatch(await page.textContent('.result-count'), /^[1-9][\d,]* results?$/, 'the search for India in 1998');
    const results = await page.$$eval('.result', (items) =>
      items.map((r) => ({ href: r.querySelector('h2 a').getAttribute('href'), headline: r.querySelector('h2 a').textContent.trim(), date: r.querySelector('time').textContent })),
    );
    for (const r of results) expectMatch(r.date, /\b1998\b/, `the result ${r.href}'s date`);
    await device.shot('search-1998');
    await device.follow(page.locator(`.result a[href="${results[0].href}"]`));
    const story = await readStory(page);
    expect(story.headline === results[0].headline, `opened ${JSON.stringify(story.headline)}, the result said ${JSON.stringify(results[0].headline)}`);
    expectMatch(story.published, /\b1998\b/, 'the story first published');
    expect(!story.paywall && story.paragraphs.length > 1, `the subscriber cannot read the 1998 story: ${story.paywall}`);
    await device.shot('story-1998');
    device.expectNoErrors(device.label);
    // The first device, signed out in journey 3, meets the archive paywall instead.
    const visitor = needs(state, 'subscriber', 'journey 2-desktop').device;
    await visitor.visit(results[0].href);
    const withheld = await readStory(visitor.page);
    expectMatch(withheld.paywall, /^Stories older than 30 days are in the archive/, 'the 1998 story for a visitor');
    expect(withheld.paragraphs.length === 1, `the visitor sees ${withheld.paragraphs.length} paragraphs of the 1998 story`);
    await visitor.shot('story-1998-archive-paywall');
    visitor.expectNoErrors(visitor.label);
  }),
  journey('7-desktop', 'an editor writes a story in Hindi; it says lang="hi", and the home page leads with a picture that does not shift (desktop)', (ctx, state) => hindiStoryAndPicturedLead(ctx, state, DESKTOP)),
  journey('7-phone', 'the same on the phone', (ctx, state) => hindiStoryAndPicturedLead(ctx, state, PHONE)),
];
