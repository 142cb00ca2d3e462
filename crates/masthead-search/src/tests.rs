//! The index end to end on a temporary directory.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use masthead_domain::PublisherZone;

use super::*;

fn story(id: i64, section: &str, day: (i32, u32, u32), headline: &str, lead: &str, rest: &str) -> IndexedStory {
    IndexedStory {
        id,
        slug: format!("story-{id}"),
        section: section.into(),
        credit: if id % 2 == 0 { "AP".into() } else { "Priya Raman".into() },
        premium: id % 3 == 0,
        first_published_at: Utc.with_ymd_and_hms(day.0, day.1, day.2, 10, 0, 0).unwrap(),
        headline: headline.into(),
        lead: lead.into(),
        body: format!("{lead}\n{rest}"),
    }
}

fn fixture() -> (tempfile::TempDir, Arc<ArchiveIndex>) {
    let dir = tempfile::tempdir().unwrap();
    let index = Arc::new(ArchiveIndex::open(dir.path()).unwrap());
    let mut writer = index.indexer(1, 15_000_000).unwrap();
    for s in [
        story(
            1,
            "world",
            (2017, 4, 13),
            "Kremlin: No positive shift yet",
            "Putin met Tillerson.",
            "Peskov said: \"Too early yet.\" <b>bold</b>",
        ),
        story(2, "world", (2018, 2, 1), "Early elections called", "Voters go early to the polls.", "Nothing else yet."),
        story(
            3,
            "markets",
            (2017, 4, 20),
            "Markets rally",
            "Shares rose early.",
            "Too early yet to say, traders said.",
        ),
        story(
            4,
            "economy",
            (2020, 1, 5),
            "Budget day",
            "The budget is out.",
            "Secret withheld sentence about tariffs.",
        ),
    ] {
        writer.upsert(&s).unwrap();
    }
    writer.commit(4).unwrap();
    (dir, index)
}

/// A search by a reader entitled to every story.
fn request(q: &str) -> SearchRequest {
    SearchRequest { reach: Reach::everything(), ..SearchRequest::new(Terms::parse(q).unwrap()) }
}

fn ids(page: &SearchPage) -> Vec<i64> {
    page.hits.iter().map(|h| h.id).collect()
}

#[test]
fn words_phrases_and_filters() {
    let (_dir, index) = fixture();
    assert_eq!(index.len(), 4);
    assert_eq!(index.position().unwrap(), 4);
    assert_eq!(ids(&index.search(&request("tillerson")).unwrap()), vec![1]);
    let phrase = index.search(&request("\"too early yet\"")).unwrap();
    assert_eq!(phrase.total.count, 2);
    let world = SearchRequest { section: Some("world".into()), ..request("\"too early yet\"") };
    assert_eq!(ids(&index.search(&world).unwrap()), vec![1]);
    let zone = PublisherZone::default();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    let april = request("\"too early yet\"").with_dates(&zone, day(2017, 4, 1), day(2017, 4, 30)).unwrap();
    assert_eq!(index.search(&april).unwrap().total.count, 2);
    let later = request("\"too early yet\"").with_dates(&zone, day(2018, 1, 1), None).unwrap();
    assert_eq!(index.search(&later).unwrap().total.count, 0);
    let by_ap = SearchRequest { credit: Some("ap".into()), ..request("early") };
    assert_eq!(ids(&index.search(&by_ap).unwrap()), vec![2]);
    let premium = SearchRequest { premium: Some(true), ..request("early") };
    assert_eq!(ids(&index.search(&premium).unwrap()), vec![3]);
    assert_eq!(index.search(&request("early -markets")).unwrap().total.count, 2);
    assert_eq!(index.search(&request("tillerson OR budget")).unwrap().total.count, 2);
}

#[test]
fn newest_first_orders_by_publication() {
    let (_dir, index) = fixture();
    let newest = SearchRequest { sort: Sort::Newest, ..request("early") };
    assert_eq!(ids(&index.search(&newest).unwrap()), vec![2, 3, 1]);
}

#[test]
fn pages_hold_as_many_as_asked() {
    let (_dir, index) = fixture();
    let page = |page, per_page| SearchRequest { sort: Sort::Newest, page, per_page, ..request("early") };
    let first = index.search(&page(1, 2)).unwrap();
    assert_eq!((ids(&first), first.has_more()), (vec![2, 3], true));
    let second = index.search(&page(2, 2)).unwrap();
    assert_eq!((ids(&second), second.has_more()), (vec![1], false));
}

#[test]
fn snippets_come_from_the_free_part_and_are_escaped() {
    let (_dir, index) = fixture();
    let page = index.search(&request("tariffs")).unwrap();
    assert_eq!(page.total.count, 1);
    let hit = &page.hits[0];
    assert!(!hit.snippet.contains("tariffs") && hit.snippet_marks == 0, "{}", hit.snippet);
    assert_eq!(hit.snippet, "The budget is out.");
    let (rest, marks) = page.body_snippet("Secret withheld sentence about tariffs.").unwrap();
    assert_eq!(marks, 1);
    assert!(rest.contains("<mark>tariffs</mark>"), "{rest}");
    let page = index.search(&request("putin")).unwrap();
    assert_eq!(page.hits[0].snippet, "<mark>Putin</mark> met Tillerson");
    let page = index.search(&request("tariffs")).unwrap();
    let (escaped, _) = page.body_snippet("tariffs & <b>co</b>").unwrap();
    assert!(escaped.contains("&lt;b&gt;") && escaped.contains("&amp;"), "{escaped}");
}

#[test]
fn withheld_text_matches_only_for_readers_entitled_to_it() {
    use masthead_domain::access::{Benefit, Reader, ReaderKind, entitled};
    let (_dir, index) = fixture();
    let total = |reach: Reach, q: &str| {
        index.search(&SearchRequest { reach, ..SearchRequest::new(Terms::parse(q).unwrap()) }).unwrap().total.count
    };
    // By default only the free text counts: headline, standfirst, free part.
    assert_eq!(total(Reach::free_text_only(), "\"too early yet\""), 0);
    assert_eq!(total(Reach::free_text_only(), "tariffs"), 0);
    assert_eq!(total(Reach::free_text_only(), "budget"), 1);
    assert_eq!(total(Reach::free_text_only(), "tillerson"), 1);
    // An exclusion looks only at the text the reader may read.
    assert_eq!(total(Reach::free_text_only(), "budget -tariffs"), 1);
    let at = |y| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap();
    let reach = |reader: &Reader, premium_sections: Vec<String>, archived_before| {
        Reach::of(|story| entitled(reader, story), premium_sections, archived_before)
    };
    // A visitor: stories before 2019 are archived; story 4 (2020, free) is whole.
    let visitor = Reader::visitor();
    assert_eq!(total(reach(&visitor, vec![], at(2019)), "tariffs"), 1);
    assert_eq!(total(reach(&visitor, vec![], at(2019)), "\"too early yet\""), 0);
    // Nothing archived: story 1 is free and whole, story 3 premium and withheld.
    assert_eq!(total(reach(&visitor, vec![], at(2000)), "\"too early yet\""), 1);
    // A subscriber to premium stories reads story 3 too, unless its section is premium.
    let subscriber = Reader { kind: ReaderKind::Registered, benefits: vec![Benefit::PremiumStories] };
    assert_eq!(total(reach(&subscriber, vec![], at(2000)), "\"too early yet\""), 2);
    assert_eq!(total(reach(&subscriber, vec!["markets".into()], at(2000)), "\"too early yet\""), 1);
    assert_eq!(total(reach(&subscriber, vec![], at(2019)), "\"too early yet\""), 0);
    let staff = Reader { kind: ReaderKind::Staff, benefits: vec![] };
    assert_eq!(total(reach(&staff, vec!["markets".into()], at(2019)), "\"too early yet\""), 2);
    // A snippet for a withheld match is still the free text, unmarked.
    let page = index.search(&SearchRequest { reach: reach(&visitor, vec![], at(2019)), ..request("budget") }).unwrap();
    assert_eq!(page.hits[0].snippet, "The <mark>budget</mark> is out");
}

#[test]
fn withheld_text_stops_matching_when_a_story_ages_out_or_turns_premium() {
    use masthead_domain::access::{Reader, entitled};
    let (_dir, index) = fixture();
    let at = |y| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap();
    let visitor = |premium_sections: Vec<String>, archived_before| {
        Reach::of(|story| entitled(&Reader::visitor(), story), premium_sections, archived_before)
    };
    let total = |reach: Reach| index.search(&SearchRequest { reach, ..request("tariffs") }).unwrap().total.count;
    // Story 4 (2020, free) is recent while the archive starts in 2019 or 2020.
    assert_eq!(total(visitor(vec![], at(2019))), 1);
    assert_eq!(total(visitor(vec![], at(2020))), 1);
    // Once the cutoff passes it, its body no longer counts; its free text still does.
    assert_eq!(total(visitor(vec![], at(2021))), 0);
    assert_eq!(
        index.search(&SearchRequest { reach: visitor(vec![], at(2021)), ..request("budget") }).unwrap().total.count,
        1
    );
    // Its section marked premium after it was indexed.
    assert_eq!(total(visitor(vec!["economy".into()], at(2019))), 0);
    // Edited to premium after it was indexed.
    let mut writer = index.indexer(1, 15_000_000).unwrap();
    let mut story4 = story(
        4,
        "economy",
        (2020, 1, 5),
        "Budget day",
        "The budget is out.",
        "Secret withheld sentence about tariffs.",
    );
    story4.premium = true;
    writer.upsert(&story4).unwrap();
    writer.commit(5).unwrap();
    assert_eq!(total(visitor(vec![], at(2019))), 0);
    assert_eq!(total(Reach::everything()), 1);
}

/// Stories over two runs of [`ranking::CHUNK_DOCS`], mostly oldest first as a
/// rebuild writes them, some out of order: what each reader's search matches
/// is what the reach rule says, story by story, wherever the archive starts.
#[test]
fn the_reach_holds_across_runs_of_archived_and_recent_stories() {
    use masthead_domain::access::{Benefit, Reader, ReaderKind, Story, entitled};
    let dir = tempfile::tempdir().unwrap();
    let index = Arc::new(ArchiveIndex::open(dir.path()).unwrap());
    let mut writer = index.indexer(1, 50_000_000).unwrap();
    let boundary = i64::from(ranking::CHUNK_DOCS);
    let count = boundary + 3_000;
    let start = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
    let hour = |h: i64| start + chrono::Duration::hours(h);
    let stories: Vec<IndexedStory> = (0..count)
        .map(|id| {
            // In the second run every 97th story is dated among the newest;
            // in both, every 1009th among the oldest.
            let published = match id {
                _ if id >= boundary && id % 97 == 0 => hour(count + id),
                _ if id % 1009 == 700 => hour(-id),
                _ => hour(id),
            };
            let lead = if id % 11 == 0 { "A needle in the lead." } else { "A lead." };
            let rest = if id % 7 == 0 { "A needle in the body." } else { "More." };
            let section = if id % 5 == 0 { "smart-investor" } else { "world" };
            IndexedStory { first_published_at: published, ..story(id, section, (2020, 1, 1), "Headline", lead, rest) }
        })
        .collect();
    for story in &stories {
        writer.upsert(story).unwrap();
    }
    writer.commit(1).unwrap();
    let readers = [
        Reader::visitor(),
        Reader { kind: ReaderKind::Registered, benefits: vec![Benefit::PremiumStories] },
        Reader { kind: ReaderKind::Registered, benefits: vec![Benefit::Archive] },
        Reader { kind: ReaderKind::Registered, benefits: vec![Benefit::PremiumStories, Benefit::Archive] },
    ];
    // The archive starting before every story, inside the first run, where
    // the second run starts (the first is then all archived), inside the
    // second run, after every story.
    let cutoffs = [hour(-count), hour(5_000), hour(boundary), hour(boundary + 1_000), hour(3 * count)];
    for reader in &readers {
        for premium_sections in [vec![], vec!["smart-investor".to_owned()]] {
            for cutoff in cutoffs {
                let reach = Reach::of(|story| entitled(reader, story), premium_sections.clone(), cutoff);
                let mut expected: Vec<&IndexedStory> = stories
                    .iter()
                    .filter(|story| {
                        let kind = Story {
                            premium: story.premium,
                            premium_section: premium_sections.contains(&story.section),
                            archived: story.first_published_at < cutoff,
                        };
                        let text = if entitled(reader, kind) { &story.body } else { &story.lead };
                        text.contains("needle")
                    })
                    .collect();
                expected.sort_by_key(|story| std::cmp::Reverse(story.first_published_at));
                let search = SearchRequest { reach, sort: Sort::Newest, ..request("needle") };
                let page = index.search(&search).unwrap();
                let context = format!("{reader:?} {premium_sections:?} {cutoff}");
                assert_eq!(page.total, Total { count: expected.len(), exact: true }, "{context}");
                let newest: Vec<i64> = expected.iter().take(PAGE_SIZE).map(|story| story.id).collect();
                assert_eq!(ids(&page), newest, "{context}");
            }
        }
    }
}

#[test]
fn updates_replace_and_removals_vanish() {
    let (_dir, index) = fixture();
    let mut writer = index.indexer(1, 15_000_000).unwrap();
    writer.upsert(&story(1, "world", (2017, 4, 13), "Kremlin rethinks", "Changed lead.", "")).unwrap();
    writer.remove(4);
    writer.commit(6).unwrap();
    assert_eq!(index.len(), 3);
    assert_eq!(index.search(&request("tillerson")).unwrap().total.count, 0);
    assert_eq!(ids(&index.search(&request("rethinks")).unwrap()), vec![1]);
    assert_eq!(index.search(&request("budget")).unwrap().total.count, 0);
    assert_eq!(index.position().unwrap(), 6);
}

#[test]
fn punctuation_only_queries_find_nothing_to_search() {
    let (_dir, index) = fixture();
    let err = index.search(&request("!!! ???")).err().unwrap();
    assert!(matches!(err, SearchError::Query(QueryError::NothingToFind)), "{err}");
}

#[test]
fn a_rebuild_swaps_in_while_searches_go_on() {
    let (dir, index) = fixture();
    let mut writer = index.indexer(1, 15_000_000).unwrap();
    let mut rebuild = Rebuild::start(dir.path(), 1, 15_000_000).unwrap();
    rebuild.add(&story(9, "world", (2021, 1, 1), "Only story after rebuild", "Lead.", "")).unwrap();
    // The old generation answers until the rebuild is done.
    assert_eq!(index.search(&request("tillerson")).unwrap().total.count, 1);
    rebuild.finish(42).unwrap();
    assert!(writer.follow_rebuild().unwrap());
    assert_eq!(index.position().unwrap(), 42);
    assert_eq!(index.search(&request("tillerson")).unwrap().total.count, 0);
    assert_eq!(index.search(&request("rebuild")).unwrap().total.count, 1);
    let generations = std::fs::read_dir(dir.path()).unwrap().filter(|e| e.as_ref().unwrap().path().is_dir()).count();
    assert_eq!(generations, 1, "the old generation is removed");
    // Reopening finds the rebuilt generation.
    drop(writer);
    assert_eq!(ArchiveIndex::open(dir.path()).unwrap().position().unwrap(), 42);
}

#[test]
fn only_one_writer_at_a_time() {
    let (_dir, index) = fixture();
    let _writer = index.indexer(1, 15_000_000).unwrap();
    assert!(index.indexer(1, 15_000_000).is_err());
}

#[test]
fn totals_past_the_limit_say_more_than() {
    let (_dir, index) = fixture();
    let generation = index.generation();
    let searcher = generation.reader.searcher();
    let query = BooleanQuery::new(
        Words::of(&searcher, generation.fields.text, generation.fields.pairs, &Terms::parse("early").unwrap())
            .unwrap()
            .clauses,
    );
    assert_eq!(count_up_to(&searcher, &query, 3).unwrap(), Total { count: 3, exact: true });
    assert_eq!(count_up_to(&searcher, &query, 2).unwrap(), Total { count: 2, exact: false });
    assert_eq!(Total { count: 2, exact: false }.to_string(), "more than 2");
    assert_eq!(Total { count: 1_234_567, exact: true }.to_string(), "1,234,567");
    assert!(Total { count: 1, exact: true }.is_one() && !Total { count: 1, exact: false }.is_one());
}

#[test]
fn an_index_of_another_schema_is_replaced_by_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    let name = "gen-1";
    let mut schema = Schema::builder();
    schema.add_text_field("body", TEXT);
    std::fs::create_dir_all(dir.path().join(name)).unwrap();
    Index::create_in_dir(dir.path().join(name), schema.build()).unwrap();
    write_current(dir.path(), name).unwrap();
    let index = ArchiveIndex::open(dir.path()).unwrap();
    assert!(index.is_empty());
    assert_eq!(index.position().unwrap(), 0);
    assert!(!dir.path().join(name).exists(), "the old generation is removed");
    let instance = index.instance().to_owned();
    drop(index);
    assert_eq!(ArchiveIndex::open(dir.path()).unwrap().instance(), instance, "the instance name is kept");
}

#[test]
fn a_phrase_needs_its_words_in_order_not_just_its_pairs() {
    let (_dir, index) = fixture();
    let mut writer = index.indexer(1, 15_000_000).unwrap();
    // Both pairs of "too early yet", never the phrase itself.
    writer.upsert(&story(5, "world", (2017, 4, 14), "Too early", "Early yet again.", "")).unwrap();
    writer.commit(5).unwrap();
    let page = index.search(&request("\"too early yet\"")).unwrap();
    assert_eq!(page.total.count, 2);
    assert!(!ids(&page).contains(&5), "{:?}", ids(&page));
    assert_eq!(index.search(&request("\"early early\"")).unwrap().total.count, 0, "no pair across values");
    assert_eq!(index.search(&request("\"early yet again\"")).unwrap().total.count, 1);
}

#[test]
fn ranking_by_runs_finds_what_ranking_every_match_finds() {
    let dir = tempfile::tempdir().unwrap();
    let index = Arc::new(ArchiveIndex::open(dir.path()).unwrap());
    let mut writer = index.indexer(1, 50_000_000).unwrap();
    // Three and a half runs of stories, published out of order, every one
    // holding "common" (once to five times) and every seventh "rarer".
    let stories = ranking::CHUNK_DOCS as i64 * 7 / 2;
    for id in 0..stories {
        let day = (id * 7919) % 9000;
        let published = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::days(day);
        let words = "common ".repeat(1 + (id % 5) as usize) + if id % 7 == 0 { "rarer" } else { "filler" };
        writer
            .upsert(&IndexedStory {
                first_published_at: published,
                ..story(id, "world", (2000, 1, 1), "Headline", &words, "")
            })
            .unwrap();
    }
    writer.commit(1).unwrap();
    let generation = index.generation();
    let searcher = generation.reader.searcher();
    for q in ["common", "rarer common"] {
        let query = BooleanQuery::new(
            Words::of(&searcher, generation.fields.text, generation.fields.pairs, &Terms::parse(q).unwrap())
                .unwrap()
                .clauses,
        );
        let best = Words::of(&searcher, generation.fields.text, generation.fields.pairs, &Terms::parse(q).unwrap())
            .unwrap()
            .best_score;
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap().timestamp();
        for (order, scoring) in [
            (ranking::Order::Relevance { best, now }, EnableScoring::enabled_from_searcher(&searcher)),
            (ranking::Order::Newest, EnableScoring::disabled_from_searcher(&searcher)),
        ] {
            let weight = query.weight(scoring).unwrap();
            let top = |by_runs| ranking::top(&searcher, weight.as_ref(), order, 30, by_runs, &generation.run_dates);
            assert_eq!(top(true).unwrap(), top(false).unwrap(), "{q} {order:?}");
            assert_eq!(top(true).unwrap().len(), 30);
        }
    }
    // Newest first through the search itself: past the exact limit, in date order.
    let newest = index.search(&SearchRequest { sort: Sort::Newest, ..request("common") }).unwrap();
    assert!(!newest.total.exact);
    let dates: Vec<_> = newest.hits.iter().map(|h| h.first_published_at).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    assert_eq!(dates[0], Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::days(8999));
}
