//! The desks: one per demo section, each with its own angles (a headline and
//! the lede that goes with it), sentences, quotes and sources, written as
//! templates.
//!
//! A template is text with `{slot}`s that [`crate::writer`] fills from the
//! story's cast (the company, country, index or party it is about) or with a
//! fresh figure ("2.3 per cent", "₹4,200 crore"). Slots are listed in
//! [`crate::writer`]. Sentences that only make sense for a story from India go
//! in a desk's `indian` and `indian_angles` lists and are skipped for foreign
//! stories.

use crate::vocabulary::{
    ALLIANCES, ECONOMIC_BODIES, FIRMS, GLOBAL_FIRMS, INSTITUTES, RESEARCH_HOUSES, Term, between, since, t,
};

/// What a desk covers, which decides who writes for it and where from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beat {
    /// Foreign news: always about another country.
    World,
    /// The economy: at home, or abroad for wire copy.
    Economy,
    /// Stock, bond and currency markets.
    Markets,
    /// Corporate news.
    Companies,
    /// Indian politics, always from home.
    Politics,
    /// Technology companies and policy.
    Technology,
    /// Columns: staff only, no dateline, no sources quoted.
    Opinion,
    /// The premium investing vertical: staff only, always premium.
    SmartInvestor,
}

/// A desk's templates.
#[derive(Debug)]
pub struct Desk {
    /// The section slug, as in `DEMO_SECTIONS`.
    pub slug: &'static str,
    /// What it covers.
    pub beat: Beat,
    /// Its share of the archive, in per cent.
    pub weight: usize,
    /// Headlines, each with the first sentence of its story.
    pub angles: &'static [(&'static str, &'static str)],
    /// Angles only for stories from India.
    pub indian_angles: &'static [(&'static str, &'static str)],
    /// Standfirst sentences.
    pub standfirsts: &'static [&'static str],
    /// Body sentences.
    pub sentences: &'static [&'static str],
    /// Body sentences only for stories from India.
    pub indian: &'static [&'static str],
    /// What the desk's sources say, without quotation marks or final stop.
    pub quotes: &'static [&'static str],
    /// Who the named source is, e.g. "chief economist at {firm}".
    pub roles: &'static [&'static str],
    /// What stories are about (for `{topic}`).
    pub topics: &'static [Term],
    /// Organisations in the news (for `{org}`).
    pub organisations: &'static [Term],
    /// Where analysts quoted work (for `{firm}`).
    pub firms: &'static [Term],
    /// Where they work, for stories from abroad.
    pub foreign_firms: &'static [Term],
}

/// The desks, in the order of `DEMO_SECTIONS`.
pub static DESKS: [Desk; 8] = [WORLD, ECONOMY, MARKETS, COMPANIES, POLITICS, TECHNOLOGY, OPINION, SMART_INVESTOR];

/// Sentences any news desk may use, between its own.
pub static GENERAL: &[&str] = &[
    "Officials did not respond to requests for comment.",
    "{anon} said the details were still being worked out.",
    "A final decision is expected by {next_month}.",
    "The development comes amid growing attention to {topic}.",
    "The matter is likely to come up at the next meeting, {anon} said.",
    "Analysts at {firm} said the move was not unexpected.",
    "It was not immediately clear how the plan would be funded.",
    "The statement did not give further details.",
    "Critics have called the plan {rare}, while supporters insist it is long overdue.",
    "One veteran observer described the mood as {rare}.",
    "Some commentators have described the episode as {rare}.",
    "{anon} said more announcements were likely in the coming weeks.",
    "The issue has been pending for more than {count} years.",
    "Details of the proposal were first reported by local media earlier this week.",
    "The timing of the announcement raised eyebrows in some quarters.",
    "Industry representatives welcomed the decision but sought more clarity on implementation.",
    "The decision will be reviewed after {count} months, {anon} said.",
    "Similar measures have had mixed results elsewhere.",
    "The full impact will become clear only over the next few quarters.",
    "Stakeholders have been asked to submit their views by the end of {next_month}.",
    "{anon} said the government was keen to avoid any disruption.",
    "Questions sent by email were not answered.",
    "Meanwhile, the debate over {topic} is unlikely to die down soon.",
    "The proposal is still at a preliminary stage.",
    "This is not the first time the issue has come up.",
    "Market participants will be watching closely for signals from {cb}.",
    "Some experts said the concerns were overblown.",
    "The figures are provisional and subject to revision.",
    "The coming weeks will be crucial, {anon} said.",
    "Observers say the real test will come in {next_year}.",
];

/// Frames that put a desk's quote in a sentence.
pub static QUOTE_FRAMES: &[&str] = &[
    "\"{quote},\" {attrib}.",
    "{src} said: \"{quote}.\"",
    "\"{quote},\" {anon} said.",
    "\"{quote},\" {attrib}, speaking to reporters in {city}.",
    "\"{quote},\" {attrib}, adding that the trend was likely to persist.",
    "{src} added: \"{quote}.\"",
    "Asked about the outlook, {src} said: \"{quote}.\"",
];

const WORLD: Desk = Desk {
    slug: "world",
    beat: Beat::World,
    weight: 13,
    angles: &[
        (
            "{country} and {other_country} agree to step up talks on {topic}",
            "{country} and {other_country} {when} agreed to step up talks on {topic}, after a round of discussions in {city} that officials described as {tone}.",
        ),
        (
            "{country} rejects charges from {other_country} over {topic}",
            "{country} {when} rejected accusations from {other_country} over {topic}, calling them baseless and politically motivated.",
        ),
        (
            "{demonym} {leader} to visit {other_country} amid row over {topic}",
            "The {demonym} {leader} will travel to {other_country} next week, officials said {when}, even as the two sides remain at odds over {topic}.",
        ),
        (
            "{country} says no breakthrough yet in talks with {other_country}",
            "{country} and {other_country} failed to narrow their differences over {topic} at talks in {city} {when}, officials said.",
        ),
        (
            "{org} warns {country} on {topic} as pressure mounts",
            "{org} {when} urged {country} to show restraint as tensions over {topic} escalated.",
        ),
        (
            "{country} recalls envoy from {other_country} after diplomatic spat",
            "{country} {when} recalled its ambassador from {other_country} for consultations, deepening a diplomatic row over {topic}.",
        ),
        (
            "Protests spread in {country} over government's handling of {topic}",
            "Thousands of people took to the streets of {city} {when} to protest against the government's handling of {topic}.",
        ),
        (
            "{country} votes in tight election with economy on voters' minds",
            "Voters in {country} went to the polls {when} in a closely fought election dominated by rising prices and {topic}.",
        ),
        (
            "{demonym} officials hold fresh talks with {other_country} on {topic}",
            "Senior {demonym} officials {when} held a fresh round of talks with their counterparts from {other_country} on {topic}, the foreign ministry said.",
        ),
        (
            "{country} to expel {count} diplomats from {other_country} in tit-for-tat move",
            "{country} {when} ordered {count} diplomats from {other_country} to leave the country, days after a similar move against its own envoys.",
        ),
        (
            "India, {country} sign pacts on trade, energy and defence",
            "India and {country} {when} signed agreements on trade, energy and defence cooperation during talks in {city}, as the two sides sought to deepen ties.",
        ),
        (
            "{country} seeks {billions} loan from the IMF to shore up reserves",
            "{country} has asked the International Monetary Fund for a loan of about {billions} to shore up its dwindling foreign exchange reserves, officials said {when}.",
        ),
        (
            "{org} summit ends with pledge on {topic}, but little detail",
            "Leaders meeting under the banner of {org} ended their summit {when} with a pledge to work together on {topic}, but offered few specifics.",
        ),
        (
            "{country} raises alarm over {topic} ahead of {org} meeting",
            "{country} {when} raised concerns over {topic}, saying it would press for action at a meeting of {org} later this month.",
        ),
        (
            "{demonym} {leader} replaces {count} ministers as pressure mounts",
            "The {demonym} {leader} {when} replaced {count} ministers in a reshuffle of the government's top team, as pressure mounted over {topic}.",
        ),
        (
            "{city} talks: {country}, {other_country} trade barbs over {topic}",
            "Talks between {country} and {other_country} on {topic} ended in {city} {when} without a joint statement, underlining the gulf between the two sides.",
        ),
        (
            "{country} says ties with {other_country} at 'a low point'",
            "Relations between {country} and {other_country} are at a low point, the {demonym} foreign ministry said {when}, blaming the other side for the impasse over {topic}.",
        ),
        (
            "Floods in {country} leave {num} dead, thousands displaced",
            "At least {num} people have been killed and thousands displaced by floods in {country}, officials said {when}, as rescue teams struggled to reach cut-off areas.",
        ),
        (
            "{country} tightens security in {city} after deadly blast",
            "Authorities in {country} {when} stepped up security in {city} after an explosion killed at least {num} people, officials said.",
        ),
        (
            "{demonym} {leader} warns {topic} could derail ties with {other_country}",
            "The {demonym} {leader} {when} warned that {topic} could derail efforts to rebuild ties with {other_country}.",
        ),
        (
            "{demonym} government unveils {billions} package to cushion economy",
            "The {demonym} government {when} announced a package worth {billions} to cushion the economy from the impact of {topic}.",
        ),
    ],
    indian_angles: &[],
    standfirsts: &[
        "Officials in {city} described the talks as {tone} but said differences over {topic} remained.",
        "The move is likely to complicate efforts to ease tensions between {country} and {other_country}.",
        "{country} has been under pressure from {org} and its neighbours to act on {topic}.",
        "Diplomats said a breakthrough was unlikely before a meeting of {org} next month.",
        "India is watching closely, given its ties with both {country} and {other_country}.",
        "The {demonym} {leader} said the country would not bow to outside pressure.",
        "The dispute has become a test of the government's standing at home and abroad.",
        "Analysts said the episode showed how quickly {topic} can unsettle relations in the region.",
        "The development is being watched closely in New Delhi.",
        "Diplomats said the coming weeks would show whether either side was willing to compromise.",
        "Neighbouring countries have called for calm and urged both sides to return to talks.",
    ],
    sentences: &[
        "The {demonym} foreign ministry said in a statement that it remained open to dialogue but would defend its interests.",
        "Officials on both sides described the atmosphere as {tone}.",
        "{other_country} has accused {country} of stalling on commitments it made last year.",
        "Diplomats in {city} said the two sides had agreed to meet again within {count} weeks.",
        "The dispute has cast a shadow over preparations for a meeting of {org}.",
        "Analysts said the standoff reflected a deeper rivalry for influence in the region.",
        "The {demonym} {leader} is under pressure at home, where the opposition has accused the government of mishandling {topic}.",
        "Trade between {country} and {other_country} was worth {billions} last year, according to official figures.",
        "Security was tightened across {city} ahead of the talks, with several roads closed to traffic.",
        "The United Nations has called on all sides to avoid steps that could escalate tensions.",
        "A spokesperson for {org} said it was monitoring the situation closely.",
        "The {demonym} government has repeatedly denied the allegations.",
        "New Delhi has so far avoided taking sides, calling for dialogue and diplomacy.",
        "Indian officials said the developments could affect the nearly {thousands} Indian nationals living in {country}.",
        "Energy markets reacted nervously, with prices of {commodity} rising {pct} in early trade.",
        "The two countries have had a troubled relationship for decades, marked by periods of open hostility.",
        "The {demonym} parliament is expected to debate the issue later this month.",
        "Observers said allies of {other_country} would be watching the outcome closely.",
        "Rights groups have raised concerns about the treatment of protesters and journalists.",
        "Inflation in {country} is running at {pct}, adding to the strain on households.",
        "{country} has sought the backing of {org} in the dispute.",
        "Previous rounds of negotiations collapsed over the sequencing of concessions.",
        "The latest exchange followed weeks of rising rhetoric on both sides.",
        "Officials said a joint working group would be set up to take the discussions forward.",
        "The {currency} has weakened {pct} this year, adding to the pressure on policymakers.",
        "{cb} has raised interest rates {count} times in the past year to defend the currency.",
        "Military exercises near the border have added to the sense of unease.",
        "Humanitarian agencies said access to the affected areas remained limited.",
        "The opposition called the government's response {rare}.",
    ],
    indian: &[],
    quotes: &[
        "We are committed to resolving our differences through dialogue",
        "There can be no compromise on our sovereignty",
        "The ball is now in their court",
        "It is too early to say whether these talks will lead anywhere",
        "We hope that common sense will prevail",
        "These accusations are baseless and we reject them completely",
        "Our priority is the safety of our citizens",
        "Both sides have shown a willingness to listen, which is a start",
        "The international community cannot look away",
        "We will respond in a measured and proportionate way",
        "There has been progress, but a great deal of work remains",
        "We are not interested in confrontation, but we will not be bullied",
    ],
    roles: &[
        "a spokesperson for the {demonym} foreign ministry",
        "the {demonym} foreign minister",
        "a senior {demonym} diplomat",
        "a fellow at {institute}",
        "a professor of international relations at {institute}",
        "the {demonym} ambassador to India",
    ],
    topics: &[
        t("trade talks"),
        t("sanctions"),
        t("border tensions"),
        t("a ceasefire"),
        t("climate negotiations"),
        t("nuclear talks"),
        t("energy security"),
        t("refugee flows"),
        t("maritime security"),
        t("terrorism"),
        t("human rights"),
        t("arms control"),
        t("the peace process"),
        t("food security"),
        t("migration"),
        since(2018, "tariffs"),
        between(2016, 2020, "Brexit"),
        between(2010, 2013, "the euro zone debt crisis"),
        between(2020, 2022, "the pandemic"),
        since(2022, "the war in Ukraine"),
        between(2003, 2011, "the Iraq war"),
        between(2001, 2021, "the war in Afghanistan"),
        since(2023, "the Gaza conflict"),
        since(2017, "the Indo-Pacific"),
        since(2014, "the Belt and Road Initiative"),
        between(1997, 1999, "the Asian financial crisis"),
        since(2015, "cyber attacks"),
    ],
    organisations: ALLIANCES,
    firms: INSTITUTES,
    foreign_firms: INSTITUTES,
};

const ECONOMY: Desk = Desk {
    slug: "economy",
    beat: Beat::Economy,
    weight: 14,
    angles: &[
        (
            "Consumer inflation {eases} to {hpct} in {prev_month}, shows official data",
            "Consumer price inflation {eased} to {pct} in {prev_month} from {pct} a month earlier, data released {when} showed.",
        ),
        (
            "{demonym} economy grows {hpct} in {quarter}",
            "The {demonym} economy grew {pct} in {quarter}, official data released {when} showed, as {topic} weighed on activity.",
        ),
        (
            "{cb_h} holds rates steady, signals caution on {topic}",
            "{cb} {when} kept its key interest rate unchanged, saying it wanted more evidence that price pressures were easing.",
        ),
        (
            "{cb_h} raises key rate by {bps} to tame inflation",
            "{cb} {when} raised its benchmark interest rate by {bps}, its {count_ordinal} increase in a row, to rein in prices.",
        ),
        (
            "Exports rise {hpct} in {prev_month}; trade deficit widens to {billions}",
            "Exports rose {pct} from a year earlier in {prev_month}, but imports grew faster, widening the trade deficit to {billions}, official data showed {when}.",
        ),
        (
            "Industrial output grows {hpct} in {prev_month} on mining, power boost",
            "Industrial output grew {pct} in {prev_month}, helped by mining and electricity generation, while manufacturing was {adj}, data showed {when}.",
        ),
        (
            "FDI inflows rise {hpct} to {billions} in {fy}",
            "Foreign direct investment inflows rose {pct} to {billions} in {fy}, official data showed {when}, with services and the {sector} sector attracting the most money.",
        ),
        (
            "{firm} cuts {country} growth forecast to {hpct}, flags {topic}",
            "{firm} {when} lowered its growth forecast for {country} to {pct}, citing {topic}.",
        ),
        (
            "Govt sets up panel to review {topic}; report due in {count} months",
            "The government {when} set up a committee to review {topic}, asking it to submit its report within {count} months.",
        ),
        (
            "Economists see {topic} weighing on growth in {fy}",
            "Economists expect {topic} to weigh on growth in {fy}, with most forecasts clustered around {pct}.",
        ),
        (
            "Manufacturing activity hits {span} {high} in {prev_month}, survey shows",
            "Manufacturing activity {climbed} to a {span} {high} in {prev_month}, a private survey showed {when}, as new orders {rallied}.",
        ),
        (
            "Tax collections up {hpct} so far this fiscal year, shows data",
            "Tax collections grew {pct} in the first {count} months of the fiscal year, official data showed {when}, helped by {adj} corporate earnings.",
        ),
        (
            "{org} sees {country} growing {hpct} in {fy}, warns of risks",
            "{org} {when} projected growth of {pct} for {country} in {fy}, but warned that {topic} posed risks to the outlook.",
        ),
    ],
    indian_angles: &[
        (
            "States seek more funds from Centre, cite pressure from {topic}",
            "Several states {when} asked the Centre for additional funds, saying {topic} had strained their finances.",
        ),
        (
            "Govt mulls {crore} package to revive {sector} sector",
            "The government is considering a package of about {crore} to revive the {sector} sector, {anon} said {when}.",
        ),
        (
            "Fiscal deficit touches {hbigpct} of Budget estimate in first {count} months",
            "The Centre's fiscal deficit reached {bigpct} of the full-year Budget estimate in the first {count} months of {fy}, official data showed {when}.",
        ),
        (
            "{minister} says {topic} a priority, rules out tax increase",
            "The {minister} {when} said the government would give priority to {topic} and ruled out an increase in tax rates.",
        ),
    ],
    standfirsts: &[
        "The figure was {higher} than economists had expected, and comes ahead of the policy review by {cb}.",
        "Economists said the data pointed to a {adj} recovery, with {topic} the main risk.",
        "The government said the measures would cost the exchequer about {money} this year.",
        "Officials said the decision was aimed at addressing concerns over {topic} without loosening fiscal discipline.",
        "Private economists remain divided on whether the trend will hold through {fy}.",
        "The data comes as policymakers weigh the impact of {topic} on growth.",
        "The numbers add to the debate over whether {cb} has room to cut interest rates.",
        "Analysts said the figures showed the economy was losing some momentum.",
        "The government expects growth to pick up in the second half of the year.",
        "Economists cautioned that one month's data was not enough to call a turn.",
    ],
    sentences: &[
        "Economists polled by Reuters had expected a figure of {pct}.",
        "The data showed {topic} remained a drag, even as services held up.",
        "Growth in the farm sector was {adj}, while manufacturing expanded {pct}.",
        "{cb} has raised rates by a cumulative {bps} since it began tightening.",
        "Food inflation, which has a large weight in the consumer price basket, eased to {pct}.",
        "The government has budgeted {money} for capital expenditure this year.",
        "Tax revenue grew {pct} in the first {count} months of the fiscal year.",
        "Economists at {firm} said the numbers suggested the recovery was {adj}, with wide differences across sectors.",
        "Private investment has yet to pick up meaningfully, despite repeated nudges from policymakers.",
        "Higher prices of {commodity} pushed up the import bill.",
        "Consumption demand has been {adj}, reflecting uneven wage growth.",
        "Policymakers are wary of cutting rates too early, given the risk of a renewed rise in prices.",
        "The next policy review is scheduled for {next_month}.",
        "Bond yields rose {bps} after the data was released.",
        "The fiscal deficit for the year is projected at {pct} of GDP.",
        "Credit growth has been running at about {pct}, led by personal loans.",
        "Industry bodies have called for a cut in borrowing costs to revive investment.",
        "Economists expect growth of {pct} in {fy}, below the official estimate.",
        "{org} has projected global growth of {pct} this year, warning of downside risks.",
        "Analysts said the government had limited room for fresh stimulus given its debt levels.",
        "Capacity utilisation in manufacturing rose to {share}, the highest in {count} quarters.",
        "Unemployment edged up to {pct}, according to the latest survey.",
        "Some economists described the official projections as {rare}.",
    ],
    indian: &[
        "The monsoon, which brings most of India's annual rainfall, is crucial for farm output.",
        "Core industries, which make up about 40 per cent of the index of industrial production, grew {pct}.",
        "{fpis} have pulled out {usd} from Indian debt this year.",
        "The Centre and the states together account for the bulk of public capital spending.",
        "The rupee has weakened about {pct} against the dollar this year, raising the cost of imports.",
        "The {minister} said the government would stick to its fiscal deficit target for {fy}.",
        "Rural wages grew {pct}, barely ahead of inflation.",
        "The government's borrowing programme for the year is pegged at {crore}.",
    ],
    quotes: &[
        "We expect inflation to remain within the comfort zone for the rest of the year",
        "The numbers are better than expected, but it is too early to declare victory",
        "Growth momentum is holding up, though the external environment remains uncertain",
        "Fiscal consolidation will continue, but not at the cost of growth",
        "The risk of a sharper slowdown cannot be ruled out",
        "Policy will remain data-dependent",
        "Demand in rural areas is still fragile",
        "There is a case for a pause, given the uncertainty",
        "Investment will pick up once capacity utilisation improves",
        "We are keeping a close watch on food prices",
        "A lot depends on how the monsoon pans out",
    ],
    roles: &[
        "chief economist at {firm}",
        "an economist at {firm}",
        "principal economist at {firm}",
        "head of research at {firm}",
        "senior economist at {firm}",
    ],
    topics: &[
        t("inflation"),
        t("the fiscal deficit"),
        t("the current account deficit"),
        t("foreign direct investment"),
        t("industrial output"),
        t("exports"),
        t("rural demand"),
        t("tax revenue"),
        t("disinvestment"),
        t("public spending"),
        t("bank credit"),
        t("bad loans"),
        t("interest rates"),
        t("farm incomes"),
        t("capital flows"),
        t("job creation"),
        t("subsidies"),
        t("trade policy"),
        since(2017, "GST collections"),
        between(2005, 2017, "VAT collections"),
        since(2016, "insolvency resolution"),
        between(2016, 2017, "demonetisation"),
        between(2020, 2022, "the pandemic"),
        since(2020, "production-linked incentives"),
        between(1997, 1999, "the Asian financial crisis"),
        between(2008, 2010, "the global financial crisis"),
    ],
    organisations: ECONOMIC_BODIES,
    firms: FIRMS,
    foreign_firms: GLOBAL_FIRMS,
};

const MARKETS: Desk = Desk {
    slug: "markets",
    beat: Beat::Markets,
    weight: 17,
    angles: &[
        (
            "{index_h} {rises} {points} points as {sector} stocks {rally}",
            "{index} {rose} {points} points, or {move}, to close at {level} {when}, as {sector} stocks {rallied} on {topic}.",
        ),
        (
            "{index_h} ends {higher} at {level}; {co} top {gainer}",
            "Benchmark indices ended {higher} {when}, with {index} {rising} {points} points to settle at {level} and {co} the top {gainer}.",
        ),
        (
            "{index_h} swings in volatile trade as investors await {cb_h} decision",
            "{index} swung between gains and losses {when} before closing {move} {higher} at {level}, as investors awaited the policy decision by {cb}.",
        ),
        (
            "{co} shares {rises} {hpct} after quarterly results",
            "Shares of {co} {rose} {pct} to {price} {when} after the company reported results that {beat} analysts' estimates.",
        ),
        (
            "Markets end {higher} ahead of {cb_h} policy decision",
            "Stocks closed {higher} {when}, with {index} ending at {level}, as traders positioned themselves ahead of the policy decision by {cb}.",
        ),
        (
            "{index_h} hits {span} {high} as {sector} stocks {rally}",
            "{index} {climbed} to a {span} {high} {when}, closing at {level}, as {sector} stocks {rallied} on {topic}.",
        ),
        (
            "{sector} stocks {rally} as {firm} turns {view} on the sector",
            "{sector} stocks {rallied} {when} after analysts at {firm} turned {view} on the sector, citing {topic}.",
        ),
        (
            "{commodity} {rises} as traders weigh the supply outlook",
            "Prices of {commodity} {rose} {daily} {when} as traders weighed the supply outlook and {topic}.",
        ),
        (
            "{index_h} {rises} on global cues; {co} and {rival} in focus",
            "{index} {rose} {move} to {level} in early trade {when}, tracking {cues} global cues, with {co} and {rival} among the most active stocks.",
        ),
        (
            "{index_h} {rises} {move_h} in week; {topic} in focus",
            "{index} {rose} {move} over the week to end at {level} {when}, as {topic} set the tone for trading.",
        ),
        (
            "Brokers see {index_h} at {resistance} by year-end on earnings hopes",
            "Brokerages expect {index} to reach about {resistance} by the end of the year as earnings growth picks up, according to a poll of analysts released {when}.",
        ),
        (
            "{index_h} ends flat after choppy session; {sector} shares mixed",
            "{index} ended little changed at {level} {when} after a choppy session, as moves in {sector} stocks were offset by {rival_sector} shares.",
        ),
    ],
    indian_angles: &[
        (
            "{fpis} net {buyers} of {crore} in Indian equities in {prev_month}",
            "{fpis} were net {buyers} of Indian shares worth {crore} in {prev_month}, depository data showed {when}.",
        ),
        (
            "Rupee {rises} {paise} paise to {fx} against US dollar",
            "The rupee {rose} {paise} paise to close at {fx} against the US dollar {when}, as {topic} swayed sentiment in the currency market.",
        ),
        (
            "IPO of {rival} subscribed {times} times on final day of bidding",
            "The initial public offering of {rival} was subscribed {times} times on the last day of bidding {when}, exchange data showed.",
        ),
    ],
    standfirsts: &[
        "{sector} stocks led the move, while {co} was the top {gainer} on the index.",
        "Traders said sentiment was driven by {topic}, with volumes {adj}.",
        "Analysts expect the market to remain range-bound until there is more clarity on {topic}.",
        "The broader market {outperformed} the benchmarks, with mid-cap stocks {rising} {pct}.",
        "Investors are now looking ahead to the policy decision by {cb} next week.",
        "Traders said volumes were thin, with many investors staying on the sidelines.",
        "Foreign fund flows and the direction of {currency} remain the key variables, analysts said.",
        "The move extended a run that has taken {index} {higher} in recent sessions.",
        "Heavyweight stocks accounted for much of the move in the benchmark.",
    ],
    sentences: &[
        "{co} was the top {gainer}, {rising} {pct}, followed by {rival}.",
        "Brent crude, the global oil benchmark, {rose} {daily} to {brent} a barrel.",
        "Sectorally, the {sector} index {rose} {daily}, while {rival_sector} stocks were mixed.",
        "Globally, markets in Asia ended mixed, while European shares opened {higher}.",
        "Analysts at {firm} said the market was likely to consolidate in the near term after the recent run.",
        "Mid-cap and small-cap indices {rose} {daily} and {daily} respectively.",
        "Stock-specific action dominated trade as investors reacted to earnings.",
        "Foreign investors were net {buyers} of shares on the day, provisional data showed.",
        "{index} has gained {pct} so far this year.",
        "Technical analysts see support for {index} near {support} and resistance around {resistance}.",
        "Trading volumes were {adj}, with {money} worth of shares changing hands.",
        "Among sectors, {sector} shares were the most active, led by {co}.",
        "The benchmark 10-year bond yield was at {yield}.",
        "Gold {rose} {daily} as investors weighed the outlook for interest rates.",
        "Market participants are now looking ahead to inflation data due next week.",
        "A stronger dollar weighed on emerging-market assets.",
        "Profit-taking at higher levels capped gains in heavyweight stocks.",
        "Shares of {rival} {rose} {pct} after a brokerage revised its target price.",
        "Market breadth was {adj}, reflecting {cues} sentiment among retail investors.",
        "Some fund managers called the recent swings {rare}.",
    ],
    indian: &[
        "Of the 30 Sensex stocks, {num30} ended in the green.",
        "{fpis} were net {buyers} of Indian shares worth {crore} on the day, exchange data showed.",
        "The rupee {rose} {paise} paise to {fx} against the dollar.",
        "The derivatives segment saw heavy activity ahead of the monthly expiry.",
        "Domestic institutional investors bought shares worth {crore}.",
        "The IPO of {rival} was subscribed {times} times on the final day of bidding.",
    ],
    quotes: &[
        "The market is taking cues from global developments, and that will continue for some time",
        "We advise investors to stay with quality names and avoid leveraged positions",
        "Valuations are stretched in pockets, but earnings visibility is improving",
        "Foreign flows will be the key swing factor in the near term",
        "The trend remains positive as long as the index holds above its recent lows",
        "Volatility is likely to stay elevated until there is clarity on rates",
        "Investors should use dips to accumulate fundamentally strong stocks",
        "Sentiment has turned cautious after the recent rally",
        "Earnings have been broadly in line, with few negative surprises",
        "There is no clear trigger for a breakout in the near term",
    ],
    roles: &[
        "head of research at {firm}",
        "chief investment officer at {firm}",
        "a market strategist at {firm}",
        "senior technical analyst at {firm}",
        "head of equities at {firm}",
    ],
    topics: &[
        t("foreign fund flows"),
        t("corporate earnings"),
        t("bond yields"),
        t("crude prices"),
        t("global cues"),
        t("interest rate worries"),
        t("the monsoon outlook"),
        t("valuation concerns"),
        t("the rupee's movement"),
        t("inflation data"),
        t("geopolitical tensions"),
        between(2008, 2009, "the credit crisis"),
        between(2020, 2021, "the pandemic"),
        since(2022, "US rate hikes"),
    ],
    organisations: ECONOMIC_BODIES,
    firms: FIRMS,
    foreign_firms: GLOBAL_FIRMS,
};

const COMPANIES: Desk = Desk {
    slug: "companies",
    beat: Beat::Companies,
    weight: 19,
    angles: &[
        (
            "{co} {quarter_h} net profit {rises} {hpct} to {money}",
            "{co} {when} reported a {pct} {rise} in net profit to {money} for {quarter}, as demand remained {adj}.",
        ),
        (
            "{co} to invest {money} to expand capacity over {count} years",
            "{co} {when} said it would invest {money} over the next {count} years to expand capacity and enter new markets.",
        ),
        (
            "{co} board approves share buyback worth {money}",
            "The board of {co} {when} approved a proposal to buy back shares worth up to {money}, the company said in a regulatory filing.",
        ),
        (
            "{co} in talks to acquire stake in {rival}, say sources",
            "{co} is in advanced talks to buy a controlling stake in {rival} for about {money}, {anon} said {when}.",
        ),
        (
            "{co} appoints {person} as managing director",
            "{co} {when} appointed {person}, a company veteran, as its managing director, with effect from {next_month}.",
        ),
        (
            "{co} shares in focus after {firm} revises target price",
            "Shares of {co} {rose} {pct} {when} after {firm} revised its target price on the stock and reiterated its '{rating}' rating.",
        ),
        (
            "{co} plans to raise {money} through bonds to fund expansion",
            "The board of {co} {when} approved a plan to raise up to {money} through bonds, to fund its expansion and refinance debt.",
        ),
        (
            "{co} reports {hpct} {rise} in {prev_month} sales on {adj} demand",
            "{co} {when} reported a {pct} {rise} in sales for {prev_month} from a year earlier, as demand stayed {adj}.",
        ),
        (
            "{co}, {rival} form joint venture for {sector} business",
            "{co} and {rival} {when} announced a joint venture to build a {sector} business, with each partner holding an equal stake.",
        ),
        (
            "{co} to cut {thousands} jobs as part of restructuring",
            "{co} {when} said it would cut about {thousands} jobs over the next {count} months as part of a restructuring aimed at lowering costs.",
        ),
        (
            "{co} chairman sees {adj} growth in {fy}",
            "The chairman of {co} {when} told shareholders to expect {adj} growth in {fy}, pointing to trends in the {sector} market.",
        ),
        (
            "{co} raises prices by up to {hpct} to offset input costs",
            "{co} {when} said it would raise prices across its range by up to {pct}, citing higher costs of {commodity} and other inputs.",
        ),
        (
            "{co} wins {money} order from {rival}",
            "{co} {when} said it had won an order worth {money} from {rival}, adding to an order book that gives it revenue visibility for {count} years.",
        ),
        (
            "{co} to demerge {sector} business into separate listed entity",
            "The board of {co} {when} approved a plan to demerge its {sector} business into a separately listed company, a move aimed at unlocking value for shareholders.",
        ),
        (
            "{co} revenue {rises} {hpct} as {sector} demand stays {adj}",
            "{co} {when} reported a {pct} {rise} in revenue for {quarter}, as demand in the {sector} market stayed {adj}.",
        ),
    ],
    indian_angles: &[(
        "{co} commissions {crore} plant in {state}",
        "{co} {when} commissioned a new plant in {state} built at a cost of {crore}, the company said in a stock exchange filing.",
    )],
    standfirsts: &[
        "The company said revenue from operations {rose} {pct} to {money}.",
        "The move is part of the company's plan to {plan} over the next {count} years.",
        "Analysts said the deal would strengthen the company's position in the {sector} market.",
        "Shares of the company {rose} {pct} in early trade ahead of the announcement.",
        "The company did not disclose the financial terms of the agreement.",
        "The management said demand was {adj}, though costs remained a concern.",
        "The company is counting on new products to drive growth over the next two years.",
        "Analysts said the numbers were broadly in line with expectations.",
        "The announcement came after market hours.",
        "The company has been under pressure from investors to improve returns.",
    ],
    sentences: &[
        "Revenue from operations {rose} {pct} from a year earlier to {money}.",
        "Operating margin {widened} to {pct} from {pct} a year earlier.",
        "The board recommended a dividend of {dividend} per share.",
        "The company said the new facility would create about {thousands} jobs.",
        "Net debt stood at {money} at the end of the quarter.",
        "Input costs, particularly prices of {commodity}, remained a concern, the management said.",
        "{co} has been expanding its presence in {other_country} and other overseas markets.",
        "The deal is subject to regulatory approvals and is expected to close by {next_month}.",
        "Analysts at {firm} maintained their '{rating}' rating on the stock.",
        "The order book stood at {money}, giving revenue visibility for the next {count} years.",
        "Employee costs rose {pct} as the company added {thousands} people during the year.",
        "{rival}, its closest rival, reported {adj} numbers last week.",
        "The company plans to fund the expansion through internal accruals and debt.",
        "Capacity utilisation improved to {share} from {share} a year ago.",
        "The company has set a target of {money} in annual revenue by {target_year}.",
        "The stock has {gained} {bigpct} over the past year.",
        "Management said demand in the {sector} segment was {adj} across regions.",
        "{co} exports to more than {num} countries.",
        "Exports accounted for {share} of total revenue.",
        "The company has not ruled out further acquisitions, {anon} said.",
        "One rival executive called the strategy {rare}.",
    ],
    indian: &[
        "Promoters hold about {share} of the company.",
        "The stock closed {pct} {higher} at {price} on the BSE.",
        "The company commissioned its new plant in {state} during the quarter.",
        "The Competition Commission of India is expected to review the deal.",
        "The company's rural sales grew faster than its urban sales for the {count_ordinal} quarter in a row.",
    ],
    quotes: &[
        "We remain confident about the long-term demand outlook",
        "Our focus will be on profitable growth and cash generation",
        "The investment reflects our commitment to the market",
        "We are seeing early signs of a recovery in demand",
        "Margins should improve as input costs ease",
        "This acquisition gives us scale and access to new customers",
        "We have a strong pipeline of projects and a healthy order book",
        "The quarter was challenging, but we have held our ground",
        "We will continue to invest in capacity ahead of demand",
        "Pricing pressure is likely to persist for a couple of quarters",
        "Our balance sheet gives us the flexibility to pursue growth",
    ],
    roles: &[
        "chairman of {co}",
        "managing director of {co}",
        "chief executive of {co}",
        "chief financial officer of {co}",
        "an executive director at {co}",
        "an analyst at {firm}",
    ],
    topics: &[
        t("expansion plans"),
        t("debt reduction"),
        t("capacity additions"),
        t("mergers and acquisitions"),
        t("price increases"),
        t("input costs"),
        t("working capital"),
        t("export orders"),
        t("corporate governance"),
        t("succession planning"),
        since(1999, "share buybacks"),
        since(2014, "ESG commitments"),
        since(2016, "insolvency proceedings"),
    ],
    organisations: ECONOMIC_BODIES,
    firms: FIRMS,
    foreign_firms: GLOBAL_FIRMS,
};

const POLITICS: Desk = Desk {
    slug: "politics",
    beat: Beat::Politics,
    weight: 12,
    angles: &[
        (
            "{party_h} names candidates for {state} polls; {count} sitting MLAs dropped",
            "{party} {when} released its first list of {num} candidates for the Assembly elections in {state}, dropping {count} sitting legislators.",
        ),
        (
            "{party_h}, {rival_party_h} seal seat-sharing pact ahead of {state} elections",
            "{party} and {rival_party} {when} finalised a seat-sharing arrangement for the coming Assembly polls in {state}, ending weeks of uncertainty.",
        ),
        (
            "{state} chief minister expands Cabinet, inducts {count} new ministers",
            "The {state} chief minister {when} expanded the state Cabinet, inducting {count} new ministers as the ruling coalition sought to balance regional equations.",
        ),
        (
            "Opposition walks out of Lok Sabha over {topic}",
            "The Opposition {when} staged a walkout in the Lok Sabha, accusing the government of ignoring concerns over {topic}.",
        ),
        (
            "{party_h} slams Centre over {topic}, demands debate in Parliament",
            "{party} {when} accused the Centre of mishandling {topic} and demanded a full debate in Parliament.",
        ),
        (
            "{session} session: Govt lists {num30} Bills, Opposition vows to corner it",
            "The government has listed {num30} Bills for the {session} session of Parliament, while the Opposition {when} said it would press for a discussion on {topic}.",
        ),
        (
            "{party_h} wins {state} bypolls, boosts tally in Assembly",
            "{party} {when} won {count} of the seats that went to bypolls in {state}, strengthening its position in the Assembly.",
        ),
        (
            "Election Commission announces schedule for {state} Assembly polls",
            "The Election Commission {when} announced the schedule for the Assembly elections in {state}, with polling to be held in {count} phases.",
        ),
        (
            "{party_h} leader quits party, joins {rival_party_h} ahead of polls",
            "A senior leader of {party} {when} resigned from the party and joined {rival_party}, dealing a blow to its prospects in {state} ahead of the elections.",
        ),
        (
            "Rajya Sabha passes Bill on {topic} after heated debate",
            "The Rajya Sabha {when} passed a Bill on {topic} after a heated debate, with several Opposition members staging a walkout before the vote.",
        ),
        (
            "{state} government faces floor test after {count} MLAs withdraw support",
            "The government in {state} will face a floor test after {count} legislators withdrew their support, the Speaker's office said {when}.",
        ),
        (
            "All-party meeting on {topic} ends without consensus",
            "An all-party meeting called by the government to discuss {topic} ended {when} without a consensus, with Opposition parties demanding more time.",
        ),
        (
            "{party_h} to launch nationwide campaign on {topic} next month",
            "{party} {when} said it would launch a nationwide campaign on {topic} next month, with rallies planned in {state} and other states.",
        ),
        (
            "PM to address rallies in {state} as campaign enters final phase",
            "The Prime Minister will address {count} rallies in {state} over the next week as campaigning for the Assembly elections enters its final phase, party leaders said {when}.",
        ),
    ],
    indian_angles: &[],
    standfirsts: &[
        "The decision is expected to sharpen the contest in {state}, where {party} and {rival_party} are the main rivals.",
        "Opposition leaders said the government had failed to consult them on {topic}.",
        "The party's leadership met in {city} late into the night to finalise its strategy.",
        "The move comes ahead of Assembly elections due in {state} later this year.",
        "Political analysts said the outcome would test the ruling party's standing in the state.",
        "Both parties have been trying to widen their base among first-time voters.",
        "Leaders of the ruling alliance played down talk of differences.",
        "The issue is expected to dominate proceedings in the coming days.",
        "Party insiders said the final list would be released after a meeting of the central election committee.",
    ],
    sentences: &[
        "The {state} Assembly has {seats} members, and a party needs {majority} seats for a majority.",
        "In the last election, {party} won {won_seats} seats.",
        "Senior leaders of {party} are expected to camp in {state} in the run-up to polling.",
        "{rival_party} has accused the ruling party of using central agencies against its leaders.",
        "The party's state unit has been riven by factionalism for months.",
        "Counting of votes is scheduled for {next_month}.",
        "Voter turnout in the previous election was {share}.",
        "Caste arithmetic is expected to play a decisive role in several constituencies.",
        "The Opposition has demanded a discussion on {topic} under a rule that entails voting.",
        "The parliamentary affairs minister said the government was ready to discuss all issues raised by the Opposition.",
        "The Bill was referred to a joint parliamentary committee after objections from several parties.",
        "Welfare schemes and local issues such as water supply and jobs dominated the campaign.",
        "{party} has promised free electricity up to {num} units a month if voted to power.",
        "The chief minister dismissed the criticism as politically motivated.",
        "Leaders of the ruling alliance met in {city} to review preparations.",
        "The model code of conduct came into force with the announcement of the schedule.",
        "Rebel candidates could hurt the party's prospects in at least {count} seats.",
        "The party's campaign will focus on {topic} and development.",
        "Observers said the alliance would need to overcome a history of mistrust between the two parties.",
        "The Speaker adjourned the House till noon amid the uproar.",
        "The Rajya Sabha witnessed similar scenes, with the Chairman urging members to maintain decorum.",
        "A rival leader called the alliance {rare}.",
    ],
    indian: &[],
    quotes: &[
        "The people of this state will give a fitting reply at the ballot box",
        "We are ready to discuss every issue, but the Opposition only wants to disrupt",
        "This government has betrayed the trust of farmers and the youth",
        "Our alliance is strong and will form the next government",
        "The decision was taken after wide consultations within the party",
        "Democracy cannot function if the voice of the Opposition is silenced",
        "Development, not divisive politics, is our agenda",
        "Let the people decide",
        "We will take this fight from Parliament to the streets",
        "There is no rift in the party; these are media reports",
    ],
    roles: &[
        "senior {party_h} leader",
        "{party_h} spokesperson",
        "general secretary of {party}",
        "{party_h} MP from {state}",
        "a political analyst at {institute}",
    ],
    topics: &[
        t("price rise"),
        t("farm distress"),
        t("unemployment"),
        t("reservation in jobs"),
        t("centre-state relations"),
        t("the Women's Reservation Bill"),
        t("internal security"),
        t("corruption"),
        t("delimitation"),
        t("water sharing"),
        between(2020, 2021, "the farm laws"),
        between(2018, 2024, "electoral bonds"),
        since(2019, "simultaneous elections"),
        between(2019, 2020, "the citizenship law"),
        since(2017, "GST compensation"),
        between(2011, 2013, "the Lokpal Bill"),
    ],
    organisations: ALLIANCES,
    firms: INSTITUTES,
    foreign_firms: INSTITUTES,
};

const TECHNOLOGY: Desk = Desk {
    slug: "technology",
    beat: Beat::Technology,
    weight: 11,
    angles: &[
        (
            "{co} to hire {thousands} engineers as demand for {topic} grows",
            "{co} {when} said it would hire about {thousands} engineers over the next year to meet rising demand for {topic}.",
        ),
        (
            "{co} launches new range of {product} to take on {rival}",
            "{co} {when} unveiled a new range of {product}, priced from {retail_price}, as it seeks to win back market share from {rival}.",
        ),
        (
            "{co} {quarter_h} revenue {rises} {hpct}; deal wins at {usd}",
            "{co} {when} reported a {pct} {rise} in revenue for {quarter}, as clients {spend} {topic}, and said deal wins in the quarter totalled {usd}.",
        ),
        (
            "{co} opens {money} development centre in {city}",
            "{co} {when} opened a development centre in {city}, built at a cost of {money}, that will focus on {topic}.",
        ),
        (
            "{co} bets on {topic} to drive the next phase of growth",
            "{co} is betting on {topic} to drive its next phase of growth, its chief executive told analysts {when}.",
        ),
        (
            "Shipments of {product} {rally} in {quarter_h}, says {firm}",
            "Shipments of {product} {rose} {pct} in {quarter}, according to data released by {firm} {when}, as {co} and {rival} cut prices to win buyers.",
        ),
        (
            "{co} and {rival} partner on {topic} for enterprise customers",
            "{co} and {rival} {when} announced a partnership to develop products based on {topic} for enterprise customers.",
        ),
        (
            "{co} cuts prices of {product} as competition heats up",
            "{co} {when} cut prices of its {product} by up to {pct}, as competition from {rival} intensified.",
        ),
        (
            "{co} names new technology chief to lead {topic} push",
            "{co} {when} named {person} as its chief technology officer, tasking the new executive with expanding its work on {topic}.",
        ),
        (
            "Start-ups raised {usd} in {prev_month}, led by {sector} deals",
            "Start-ups raised {usd} from investors in {prev_month}, led by deals in the {sector} sector, according to data compiled by {firm}.",
        ),
    ],
    indian_angles: &[
        (
            "Govt notifies rules on {topic}; firms get {count} months to comply",
            "The government {when} notified rules on {topic}, giving companies {count} months to comply.",
        ),
        (
            "IT services exports seen growing {hpct} in {fy}, says Nasscom",
            "Nasscom, the industry body, {when} projected that IT services exports would grow {pct} in {fy}, as clients {spend} {topic}.",
        ),
    ],
    standfirsts: &[
        "The company said it expected {topic} to account for a growing share of its revenue over the next {count} years.",
        "Industry executives said competition for skilled engineers remained intense.",
        "Analysts said the move could put pressure on rivals including {rival}.",
        "The government has said it wants the country to be a global hub for {topic}.",
        "The launch comes as demand for {product} picks up in smaller cities.",
        "The move comes as companies across the sector step up spending on {topic}.",
        "Executives said clients were taking longer to sign contracts, but demand remained intact.",
        "Industry bodies have welcomed the move but asked for a longer transition period.",
        "The company's shares have underperformed the broader market this year.",
    ],
    sentences: &[
        "{co} employs more than {thousands} people worldwide.",
        "Deal wins in the quarter totalled {usd}, the highest in {count} quarters.",
        "Attrition, a closely watched metric for IT services firms, eased to {pct}.",
        "Revenue from North America, its largest market, {rose} {pct}.",
        "The company added {num} clients during the quarter.",
        "Sales of {product} {rose} {pct} last year, according to {firm}.",
        "Experts said the rules could raise compliance costs for smaller firms.",
        "The company is also investing in research on {topic}.",
        "Rivals such as {rival} have announced similar plans in recent months.",
        "Venture capital investors have become more selective, focusing on profitability.",
        "The new centre will focus on {topic} and product engineering.",
        "Prices of components, especially memory chips, remained volatile.",
        "Analysts at {firm} said the company's guidance was {adj}.",
        "The pricing is aimed at first-time buyers in smaller towns.",
        "Security experts have warned of a rise in attacks on corporate networks.",
        "The company said customer data would be stored locally.",
        "The segment accounts for about {share} of the company's revenue.",
        "Engineers at the company described the old codebase as {rare}.",
    ],
    indian: &[
        "The government has offered incentives to companies that set up electronics manufacturing units in India.",
        "Nasscom has projected revenue of {usd} for the Indian technology industry this year.",
        "The company plans to expand its campus in {city} to seat {thousands} more employees.",
        "Engineering colleges in {state} have become a key source of fresh hires.",
    ],
    quotes: &[
        "Technology is now at the heart of every business decision our clients make",
        "We see a large opportunity in helping enterprises modernise their systems",
        "India has the talent to build products for the world",
        "Pricing will be competitive, and we are in this for the long haul",
        "The rules bring much-needed clarity for the industry",
        "Demand remains strong, although clients are taking longer to sign deals",
        "Our research and development spending will keep rising",
        "Security and privacy are non-negotiable for us",
        "Smaller cities are where the next wave of growth will come from",
        "We are hiring aggressively for new skills",
    ],
    roles: &[
        "chief executive of {co}",
        "chief technology officer of {co}",
        "an analyst at {firm}",
        "research director at {firm}",
        "founder of a {city}-based start-up",
    ],
    topics: &[
        t("software exports"),
        t("data centres"),
        t("semiconductors"),
        t("outsourcing"),
        t("IT spending"),
        t("broadband"),
        t("telecom licences"),
        since(1999, "e-commerce"),
        since(2008, "cloud computing"),
        since(2016, "artificial intelligence"),
        since(2023, "generative AI"),
        since(2019, "5G"),
        between(2012, 2019, "4G"),
        between(2008, 2012, "3G"),
        since(2005, "cybersecurity"),
        since(2012, "data privacy"),
        since(2016, "UPI payments"),
        since(2013, "cryptocurrencies"),
        between(1998, 1999, "the Y2K problem"),
        between(1999, 2001, "dotcom ventures"),
        since(2006, "social media"),
        since(2010, "mobile apps"),
        since(2010, "spectrum auctions"),
        since(2021, "chip supply"),
    ],
    organisations: ECONOMIC_BODIES,
    firms: RESEARCH_HOUSES,
    foreign_firms: RESEARCH_HOUSES,
};

const OPINION: Desk = Desk {
    slug: "opinion",
    beat: Beat::Opinion,
    weight: 7,
    angles: &[
        (
            "Why {topic} needs a rethink before it is too late",
            "Few issues have generated as much heat and as little light as {topic}.",
        ),
        (
            "The case for bolder, braver thinking on {topic}",
            "It has become fashionable to argue that {topic} can be fixed with a single bold stroke.",
        ),
        (
            "{topic}: Getting the basics right, for once and for all",
            "Every few years, the debate over {topic} returns to the centre of public life, and every few years it fades without resolution.",
        ),
        (
            "Why policymakers must not lose sight of {topic}",
            "Amid the noise of daily politics, {topic} has slipped down the list of priorities, and that is a mistake.",
        ),
        (
            "What the latest official data tells us about {topic}",
            "The latest official figures should prompt some hard thinking about {topic}.",
        ),
        (
            "The hidden and growing costs of neglecting {topic}",
            "The costs of neglect rarely show up in a single year's Budget, which is why {topic} keeps getting postponed.",
        ),
        (
            "Lessons from {other_country} for India's approach to {topic}",
            "Few countries have tackled {topic} as deliberately as {other_country}, and there is much to learn from its experience.",
        ),
        (
            "It is time to end the long policy drift on {topic}",
            "For too long, policy on {topic} has drifted from one announcement to the next.",
        ),
        ("A fresh approach to {topic} is now long overdue", "The old playbook on {topic} has run its course."),
        (
            "{topic} and the limits of what government can do",
            "There is a limit to what any government can achieve on {topic} by decree alone.",
        ),
        (
            "The politics of {topic}, and why it matters for growth",
            "When historians look back at this period, {topic} may well be seen as the defining test of governance.",
        ),
        (
            "Between promise and delivery: The story of {topic}",
            "The distance between what was promised on {topic} and what has been delivered is now hard to ignore.",
        ),
    ],
    indian_angles: &[],
    standfirsts: &[
        "The intentions are sound, but the design of policy on {topic} leaves much to be desired.",
        "Without a credible plan, the gains of recent years could be frittered away.",
        "Other countries offer useful lessons, if only we are willing to learn them.",
        "Short-term fixes will not do; what is needed is sustained institutional reform.",
        "The debate on {topic} has been long on rhetoric and short on evidence.",
        "Good intentions are not a policy; institutions and incentives are.",
        "The answer lies less in new laws than in better enforcement of existing ones.",
        "What is missing is not money but a willingness to measure results.",
    ],
    sentences: &[
        "The problem is not a lack of ideas but a failure of implementation.",
        "Consider the experience of {other_country}, which faced a similar challenge.",
        "Successive governments have tinkered at the margins without addressing the underlying incentives.",
        "The numbers tell a sobering story.",
        "It would be unfair to blame the present government alone.",
        "What is needed is a clear roadmap, with timelines and accountability.",
        "States must be brought on board; without them, little can change on the ground.",
        "The private sector, too, has a role to play.",
        "Critics will argue that the fiscal cost is too high, but the cost of inaction is higher.",
        "There is also a question of sequencing.",
        "The temptation to announce new schemes rather than fix existing ones is strong.",
        "Data quality remains a serious handicap for informed policymaking.",
        "Institutions such as {institution} have done their part, but they cannot do it alone.",
        "The {minister}'s recent remarks suggest the government is aware of the problem.",
        "Yet awareness is not the same as action.",
        "A good place to start would be to simplify the rules.",
        "The courts have repeatedly pointed to the need for clearer legislation.",
        "Public trust, once lost, is hard to regain.",
        "The poor bear the brunt of policy failures, as they always do.",
        "Economists have long warned that growth without jobs is not sustainable.",
        "The lesson from abroad is that reform works best when it is gradual and well explained.",
        "None of this is to argue for doing nothing.",
        "Some will call this approach {rare}; it is, in fact, merely prudent.",
        "Budget allocations for {topic} have barely kept pace with inflation.",
        "Half-measures have a way of becoming permanent.",
        "A cross-party consensus on the essentials would help.",
        "The experience of the past {count} years should have taught us that much.",
        "There is no shortage of committee reports gathering dust in ministries.",
        "The media, too, bears some responsibility for the quality of the debate.",
        "In the end, the test of any policy is what it achieves for ordinary citizens.",
        "Incentives matter, and the current ones point in the wrong direction.",
        "The Centre should resist the urge to micromanage.",
        "Transparency is the best safeguard against misuse.",
        "Much depends on political will, which has been in short supply.",
        "One need only look at {state} to see what is possible when the administration is determined.",
        "Cities, where most future growth will come from, are run by weak and underfunded local bodies.",
        "The window for action is narrowing.",
        "Spending {crore} a year without measuring outcomes is not a policy; it is a habit.",
    ],
    indian: &[],
    quotes: &[],
    roles: &[],
    topics: &[
        t("fiscal discipline"),
        t("labour reform"),
        t("land acquisition"),
        t("urban governance"),
        t("farm policy"),
        t("public health"),
        t("school education"),
        t("judicial delays"),
        t("federalism"),
        t("privatisation"),
        t("welfare schemes"),
        t("climate policy"),
        t("banking reform"),
        t("electoral reform"),
        t("air pollution"),
        t("trade protectionism"),
        t("police reform"),
        since(2017, "GST"),
        between(2018, 2024, "electoral bonds"),
        since(2016, "the insolvency code"),
        since(2023, "artificial intelligence"),
    ],
    organisations: ECONOMIC_BODIES,
    firms: INSTITUTES,
    foreign_firms: INSTITUTES,
};

const SMART_INVESTOR: Desk = Desk {
    slug: "smart-investor",
    beat: Beat::SmartInvestor,
    weight: 7,
    angles: &[
        (
            "Should you buy {co} after its recent {hpct} correction?",
            "Shares of {co} have fallen {pct} from their recent peak, leaving investors wondering whether the correction is a buying opportunity.",
        ),
        (
            "{co}: Valuations stretched, but earnings visibility remains strong",
            "After a sharp run-up, {co} trades at {pe} times estimated earnings for {fy}, well above its historical average.",
        ),
        (
            "{count} {sector} stocks that could benefit from {theme}",
            "With {theme} on the horizon, analysts say a handful of {sector} stocks are well placed to gain.",
        ),
        (
            "Why analysts see {hbigpct} upside in {co} from current levels",
            "Analysts tracking {co} see the stock rising about {bigpct} from current levels, citing improving earnings momentum.",
        ),
        (
            "{co} stock: Buy, hold or sell after {quarter_h} results?",
            "{co} reported {adj} numbers for {quarter}, with revenue {rising} {pct} and operating margins {widening} to {pct}.",
        ),
        (
            "Mid-cap {sector} stocks: Where the value lies now",
            "The {sector} sector has been one of the market's {best} performers this year, and mid-cap names have led the way.",
        ),
        (
            "Dividend yield plays: {co}, {rival} among analysts' top picks",
            "Dividend-paying stocks such as {co} and {rival} are back in favour with investors looking for steady income.",
        ),
        (
            "{co} vs {rival}: Which {sector} stock should you own?",
            "{co} and {rival} are both leaders in the {sector} space, but their recent performance and valuations tell different stories.",
        ),
        (
            "Is the rally in {sector} stocks sustainable? What analysts say",
            "{sector} stocks have gained {bigpct} over the past year, and analysts are divided on what comes next.",
        ),
        (
            "{firm} initiates coverage on {co} with '{rating}' rating",
            "{firm} has initiated coverage on {co} with a '{rating}' rating and a target price of {price}.",
        ),
        (
            "Portfolio strategy: How to position for {theme}",
            "Investors looking to position their portfolios for {theme} should focus on companies with strong balance sheets and pricing power, analysts say.",
        ),
    ],
    indian_angles: &[],
    standfirsts: &[
        "At current levels, the stock trades at {pe} times estimated earnings for {fy}, a premium to its five-year average.",
        "Analysts remain positive on the company's growth prospects, though near-term margins may be under pressure.",
        "We look at what the numbers say and where the risks lie for investors.",
        "Brokerages have raised their target prices after a strong set of results.",
        "Investors with a three-to-five-year horizon may consider accumulating on dips.",
        "Earnings momentum is strong, but the margin of safety has narrowed.",
        "The next two quarters will show whether the recent improvement is sustainable.",
        "A look at the valuations, the balance sheet and the risks.",
    ],
    sentences: &[
        "At {price}, the stock trades at {pe} times estimated earnings for {fy}.",
        "The company's return on equity has improved to {bigpct} over the past three years.",
        "{firm} has a '{rating}' rating on the stock with a target price of {price}.",
        "Its debt-to-equity ratio stands at a comfortable {ratio}.",
        "Earnings are expected to grow at an annual rate of {bigpct} over the next {count} years.",
        "Key risks include a sharp rise in prices of {commodity} and slower-than-expected demand.",
        "Free cash flow generation has been {adj}, allowing the company to pay down debt.",
        "The stock has underperformed its peers, which may offer an entry point for long-term investors.",
        "Institutional investors raised their holding in the company during the quarter.",
        "The dividend yield of {pct} is higher than that of most peers.",
        "Compared with {rival}, the stock trades at a discount of about {bigpct}.",
        "Investors should keep a close watch on working capital, which has been rising.",
        "Order inflows during the quarter were {adj}, at {money}.",
        "The management has guided for revenue growth of {bigpct} for the full year.",
        "A re-rating is possible if the company delivers on its guidance.",
        "Retail investors could consider a staggered approach to buying.",
        "The balance sheet is sound, with net cash of {money}.",
        "Volume growth, rather than price increases, will drive earnings over the next few quarters.",
        "Mutual funds own about {share} of the free float.",
        "The {sector} cycle appears to be turning, though the timing is hard to call.",
        "Technical charts suggest support at {price}.",
        "Promoters have not pledged any shares, a comfort for minority investors.",
        "A sustained rally will need {theme} to play out as expected.",
        "One fund manager called the stock's recent swings {rare}.",
    ],
    indian: &[],
    quotes: &[
        "The risk-reward is favourable at current levels",
        "We prefer companies with strong balance sheets and pricing power",
        "Earnings upgrades are likely to continue for the next few quarters",
        "Investors should not chase the stock after the recent run-up",
        "The valuation already factors in much of the good news",
        "Quality stocks tend to do well through cycles",
        "We would wait for a better entry point",
        "This is a structural growth story, not a cyclical one",
    ],
    roles: &[
        "fund manager at {fund}",
        "chief investment officer at {fund}",
        "head of research at {firm}",
        "a portfolio manager at {firm}",
        "an independent market analyst based in {city}",
    ],
    topics: &[
        t("valuations"),
        t("earnings growth"),
        t("dividend yields"),
        t("free cash flow"),
        t("order books"),
        t("return ratios"),
    ],
    organisations: ECONOMIC_BODIES,
    firms: FIRMS,
    foreign_firms: GLOBAL_FIRMS,
};

#[cfg(test)]
mod tests {
    use super::*;
    use masthead_domain::section::DEMO_SECTIONS;

    #[test]
    fn desks_match_the_demo_sections_in_order() {
        let slugs: Vec<_> = DESKS.iter().map(|desk| desk.slug).collect();
        let sections: Vec<_> = DEMO_SECTIONS.iter().map(|(slug, _, _)| *slug).collect();
        assert_eq!(slugs, sections);
        assert_eq!(DESKS.iter().map(|desk| desk.weight).sum::<usize>(), 100);
    }

    #[test]
    fn every_desk_has_enough_material() {
        for desk in &DESKS {
            assert!(desk.angles.len() >= 10, "{}", desk.slug);
            assert!(desk.sentences.len() >= 18, "{}", desk.slug);
            assert!(desk.topics[0].in_use(1997), "{}", desk.slug);
            assert!(desk.sentences.len() <= 64, "{}: used-template masks hold 64", desk.slug);
        }
    }
}
