//! Every wire format against fixtures: IPTC's own samples (copied from the
//! shared samples) and files written from the public specifications.

use chrono::{DateTime, Utc};
use masthead_wire::{
    Format, IdSource, NoteLevel, Parsed, PictureSource, Subject, WireError, WireItem, WireStatus, detect, parse,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parsed(name: &str) -> Parsed {
    parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The only item of a single-item file.
fn only(name: &str) -> WireItem {
    let parsed = parsed(name);
    assert_eq!(parsed.items.len(), 1, "{name}: {:?}", parsed.items);
    parsed.items.into_iter().next().unwrap()
}

fn utc(s: &str) -> Option<DateTime<Utc>> {
    Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
}

/// Every note's text, whatever its level.
fn notes(parsed: &Parsed) -> Vec<&str> {
    parsed.notes_at(NoteLevel::Detail)
}

/// The subjects' names (else codes).
fn labels(item: &WireItem) -> Vec<&str> {
    item.subjects.iter().map(Subject::label).collect()
}

fn rejected(name: &str) -> WireError {
    parse(&fixture(name)).expect_err(name)
}

fn assert_body_contains(item: &WireItem, phrase: &str) {
    assert!(item.body.as_str().contains(phrase), "body lacks {phrase:?}: {}", item.body.as_str());
}

// --- IPTC samples ---------------------------------------------------------

#[test]
fn iptc_ninjs3_dpa_text() {
    let item = only("ninjs3_dpa_text.json");
    assert_eq!(item.agency_id, "urn:newsml:dpa.com:20090101:190510-99-167362");
    assert_eq!(item.headline, "Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?");
    assert_eq!(item.version, Some(2));
    assert_eq!(item.version_at, utc("2019-05-10T14:02:28Z"));
    assert_eq!(item.first_published_at, None);
    assert_eq!(item.status, WireStatus::Usable);
    assert_eq!(item.agency.as_deref(), Some("dpa"));
    assert_eq!(item.byline.as_deref(), Some("Von Christian Hollmann, dpa"));
    assert!(item.body.as_str().starts_with("<p>Für Lucien Favre war es «der größte Skandal"));
    assert_body_contains(&item, "Schiedsrichter Felix Zwayer");
}

#[test]
fn iptc_ninjs3_ntb_text_without_body_uses_description() {
    let parsed = parsed("ninjs3_ntb_text.json");
    let item = &parsed.items[0];
    assert_eq!(item.agency_id, "urn:8d19cf88-b3ab-4972-8fec-1207599f2872");
    assert_eq!(item.headline, "Google har kjøpt giganttomt i Skien");
    assert_eq!(item.version, Some(6));
    assert_eq!(item.first_published_at, utc("2019-08-09T09:30:04Z"));
    assert_eq!(item.version_at, utc("2019-08-09T09:46:53Z"));
    assert_eq!(item.status, WireStatus::Usable);
    assert_eq!(item.agency.as_deref(), Some("NTB"));
    assert_eq!(item.dateline.as_deref(), Some("Telemark"));
    assert_eq!(labels(item), ["Innenriks", "Teknologi", "Industri", "Olje og energi"]);
    assert_body_contains(item, "IT-giganten Google har kjøpt en tomt");
    assert!(notes(&parsed).iter().any(|s| s.contains("no body")), "{:?}", notes(&parsed));
}

#[test]
fn iptc_ninjs3_tt_prefers_html_body_and_drops_its_headline_copy() {
    let parsed = parsed("ninjs3_tt_text_image.json");
    let item = &parsed.items[0];
    assert_eq!(item.agency_id, "http://tt.se/media/text/210526-militarovning-a0f2d045");
    assert_eq!(item.headline, "Militärövning i jätteformat hålls 2023");
    assert_eq!(item.version, Some(1));
    assert_eq!(item.version_at, utc("2021-05-26T11:40:18Z"));
    assert_eq!(item.agency.as_deref(), Some("TT"));
    assert_eq!(item.status, WireStatus::Usable);
    assert_body_contains(item, "<blockquote>Aurora 2023 kommer att genomföras");
    assert_body_contains(item, r#"<a href="https://www.sydostran.se/"#);
    // The <title> and <h1> repeat the headline: neither reaches the body.
    assert!(!item.body.as_str().contains("jätteformat"), "{}", item.body.as_str());
    assert!(notes(&parsed).iter().any(|s| s.contains("ttnitf")), "{:?}", notes(&parsed));
}

#[test]
fn iptc_ninjs3_aap_with_nitf_body() {
    let item = only("ninjs3_aap_addb_nitf_body.json");
    assert_eq!(
        item.agency_id,
        "https://antidopingdatabase.com/news/anti-doping-measures-at-the-tour-down-under-will-be-the-toughest-ever"
    );
    assert_eq!(item.headline, "Anti-doping measures at the 'Tour Down Under' will be the toughest ever");
    assert_eq!(item.version, Some(2));
    assert_eq!(item.version_at, utc("2023-10-08T00:34:03Z"));
    assert_eq!(item.status, WireStatus::Usable);
    assert_eq!(item.dateline.as_deref(), Some("Oslo, Norway"));
    assert_eq!(item.byline.as_deref(), Some("Trond Husø, The Anti-Doping Database"));
    // No agency field in the ninjs; the NITF body's distributor says.
    assert_eq!(item.agency.as_deref(), Some("DopingWatch"));
    assert!(item.standfirst.as_deref().unwrap().starts_with("The Australian Sports Anti-Doping Authority"));
    assert_body_contains(&item, "<p>Launch of the UCI’s Biological Passport Program");
    assert!(labels(&item).contains(&"Cycling"));
}

#[test]
fn iptc_newsmlg2_listing1_news_item() {
    let parsed = parsed("newsmlg2_listing1_news_item.xml");
    assert_eq!(parsed.format, Format::NewsMlG2);
    let item = &parsed.items[0];
    assert_eq!(item.agency_id, "urn:newsml:acmenews.com:20161018:US-FINANCE-FED");
    assert_eq!(item.version, Some(11));
    assert_eq!(item.headline, r#"Fed to halt QE to avert "bubble""#);
    assert_eq!(item.first_published_at, utc("2016-10-18T18:12:21Z"));
    assert_eq!(item.version_at, utc("2018-10-21T21:25:32Z"));
    assert_eq!(item.status, WireStatus::Usable);
    assert_eq!(item.agency.as_deref(), Some("REUTERS"));
    assert_eq!(item.byline.as_deref(), Some("Meredith Jameson"));
    assert_eq!(item.dateline.as_deref(), Some("Berlin"));
    assert_eq!(labels(item), ["economy, business and finance", "labour market"]);
    // Its inlineXML holds only comments: a story with no body, and a note.
    assert_eq!(item.body.as_str(), "");
    assert!(notes(&parsed).contains(&"no body"), "{:?}", notes(&parsed));
}

#[test]
fn iptc_newsmlg2_listing2_text_document_with_inline_nitf() {
    let item = only("newsmlg2_listing2_text_document.xml");
    assert_eq!(item.agency_id, "urn:newsml:acmenews.com:20161121:US-FINANCE-FED");
    assert_eq!(item.version, Some(11));
    assert_eq!(item.headline, r#"Fed to halt QE to avert "bubble""#);
    assert_eq!(item.first_published_at, utc("2016-11-21T20:21:06Z"));
    assert_eq!(item.version_at, utc("2018-11-21T21:25:32Z"));
    assert_eq!(item.status, WireStatus::Usable);
    assert_eq!(item.agency.as_deref(), Some("Associated Press"));
    assert_eq!(item.dateline.as_deref(), Some("New York, NY"));
    assert_body_contains(&item, "<p>(New York, NY - October 21) Et, sent luptat luptat, commy Nim zzriureet");
    assert_eq!(item.body.as_str().matches("<p>").count(), 2);
}

#[test]
fn iptc_newsmlg2_listing25_fragment_is_not_an_item_but_its_nitf_reads_inside_one() {
    assert_eq!(rejected("newsmlg2_listing25_nitf_inline.xml").to_string(), "unknown format: root element <contentSet>");
    let item = only("newsmlg2_listing25_wrapped.xml");
    assert_eq!(item.agency_id, "urn:example:listing25");
    assert_eq!(item.version, Some(1));
    // No headline in contentMeta: the NITF hl1 stands in.
    assert_eq!(item.headline, "Arizona Diamondbacks (29-23) at Philadelphia Phillies (26-24), 7:05p.m.");
    assert_eq!(item.byline.as_deref(), Some("Sports Network"));
    assert!(item.standfirst.as_deref().unwrap().starts_with("A pair of teams coming off big weekend sweeps"));
    assert_eq!(item.version_at, utc("2009-06-01T18:00:00Z"));
    assert_eq!(item.agency.as_deref(), Some("SportsNetwork"));
    assert_body_contains(&item, "looks set to be a clash of the Titans.</p>");
}

#[test]
fn iptc_newsmlg2_ap_metadata_example_has_no_headline() {
    // AP's example is a video's metadata: no headline, so nothing to publish.
    assert_eq!(detect(&fixture("newsmlg2_ap_metadata_example.xml")), Ok(Format::NewsMlG2));
    assert_eq!(rejected("newsmlg2_ap_metadata_example.xml"), WireError::NoHeadline);
}

// --- the seed story, as AP would send it ---------------------------------

fn assert_kremlin(item: &WireItem) {
    assert_eq!(item.agency_id, "urn:publicid:ap.org:1b2c3d4e5f60718293a4b5c6d7e8f901");
    assert_eq!(item.headline, "Kremlin: No positive shift yet on Russia-US ties");
    assert_eq!(item.agency.as_deref(), Some("AP"));
    assert_eq!(item.dateline.as_deref(), Some("Moscow"));
    assert_eq!(item.version, Some(2));
    assert_eq!(item.first_published_at, utc("2024-11-26T08:05:00Z"));
    assert_eq!(item.version_at, utc("2024-11-26T09:40:12Z"));
    assert_eq!(item.status, WireStatus::Usable);
    assert_eq!(
        item.standfirst.as_deref(),
        Some("The Kremlin said there has been no positive shift yet in relations with the United States.")
    );
    assert!(
        item.body.as_str().starts_with(
            "<p>MOSCOW (AP) — The Kremlin said on Tuesday that there has been no positive shift yet in relations"
        ),
        "{}",
        item.body.as_str()
    );
    assert_body_contains(item, "too early to speak of any change");
}

#[test]
fn seed_story_as_ninjs() {
    let item = only("ap_kremlin.ninjs.json");
    assert_kremlin(&item);
    assert_eq!(labels(&item), ["Government and politics", "Russia"]);
}

#[test]
fn seed_story_as_newsml_g2_notes_the_custom_element() {
    let parsed = parsed("ap_kremlin.newsml.xml");
    assert_kremlin(&parsed.items[0]);
    assert_eq!(notes(&parsed), ["unknown element apx:transmissionReference"]);
    assert_eq!(labels(&parsed.items[0]), ["politics"]);
}

// --- ninjs dialects -------------------------------------------------------

#[test]
fn ninjs_1x_dialect() {
    let parsed = parsed("ninjs1_item.json");
    assert_eq!(parsed.format, Format::Ninjs);
    let item = &parsed.items[0];
    assert_eq!(item.agency_id, "http://example.com/news/2024/11/26/harbour-reopens");
    assert_eq!(item.version, Some(3));
    assert_eq!(item.headline, "Harbour reopens after storm repairs");
    assert_eq!(item.byline.as_deref(), Some("By Jane Doe"));
    assert_eq!(item.dateline.as_deref(), Some("Mumbai"));
    assert_eq!(item.agency.as_deref(), Some("Example Wire"));
    assert_eq!(
        item.standfirst.as_deref(),
        Some("The city's harbour reopened on Tuesday after three weeks of repairs.")
    );
    // body_html wins over body_text.
    assert_eq!(
        item.body.as_str(),
        "<p>The harbour reopened on Tuesday after <b>three weeks</b> of repairs.</p><p>Ferries resume on Wednesday.</p>"
    );
    // No offset: read as UTC, and said so.
    assert_eq!(item.version_at, utc("2024-11-26T09:15:00.250Z"));
    assert_eq!(labels(item), ["maritime transport"]);
    assert!(notes(&parsed).iter().any(|s| s.contains("no UTC offset")), "{:?}", notes(&parsed));
    assert!(notes(&parsed).contains(&"unknown field x_priority"), "{:?}", notes(&parsed));
}

#[test]
fn ninjs_2x_dialect() {
    let parsed = parsed("ninjs2_item.json");
    let item = &parsed.items[0];
    assert_eq!(item.agency_id, "urn:example:wire:2024:rail-strike");
    assert_eq!(item.version, Some(4));
    // The main headline, not the first.
    assert_eq!(item.headline, "Rail unions call nationwide strike for Friday");
    assert_eq!(item.standfirst.as_deref(), Some("Unions say trains will not run & stations close."));
    assert_eq!(
        item.body.as_str(),
        "<p>Rail unions called a nationwide strike for Friday.</p>\n<p>Talks broke down late on Monday.</p>\n"
    );
    assert_eq!(item.first_published_at, utc("2024-11-25T12:30:00Z"));
    assert_eq!(item.version_at, utc("2024-11-26T02:00:00Z"));
    assert_eq!(item.status, WireStatus::Withheld);
    assert!(!item.status.is_publishable());
    assert_eq!(item.agency.as_deref(), Some("Example News Agency"));
    assert_eq!(item.byline.as_deref(), Some("Staff Correspondent"));
    assert_eq!(item.dateline.as_deref(), Some("New Delhi"));
    assert_eq!(labels(item), ["labour dispute", "medtop:20000766"]);
    assert_eq!(notes(&parsed), ["unknown field agency_custom"]);
}

#[test]
fn ninjs_array_skips_a_bad_item() {
    let json = br#"[
        {"uri": "urn:a", "headline": "First", "body_text": "One."},
        {"uri": "urn:b", "body_text": "No headline."},
        {"headline": "No id", "body_text": "Three."}
    ]"#;
    let parsed = parse(json).unwrap();
    assert_eq!(parsed.items.len(), 2);
    assert_eq!(parsed.items[0].headline, "First");
    assert_eq!(parsed.notes_at(NoteLevel::Skipped), ["item 2: no headline"]);
    // An item without an id is still a story, known by its headline.
    assert_eq!(parsed.items[1].id_source, IdSource::Headline);
}

#[test]
fn an_item_without_id_is_known_by_its_headline_and_date() {
    let item = &parse(br#"{"headline": "x", "body_text": "y"}"#).unwrap().items[0];
    assert_eq!(item.id_source, IdSource::Headline);
    let dated = br#"{"headline": "Markets open higher", "versioncreated": "2024-11-26T10:00:00Z", "body_text": "y"}"#;
    let item = &parse(dated).unwrap().items[0];
    assert_eq!(item.id_source, IdSource::HeadlineAndDate);
    assert!(item.agency_id.starts_with("masthead:"), "{}", item.agency_id);
    // The same story sent again is the same item.
    let again =
        br#"{"headline": "Markets open  higher", "versioncreated": "2024-11-26T16:00:00Z", "body_html": "<p>z</p>"}"#;
    assert_eq!(parse(again).unwrap().items[0].agency_id, item.agency_id);
}

#[test]
fn unknown_status_withholds() {
    let parsed = parse(br#"{"uri": "urn:x", "headline": "x", "pubstatus": "stat:mystery"}"#).unwrap();
    assert_eq!(parsed.items[0].status, WireStatus::Withheld);
    assert!(notes(&parsed).iter().any(|s| s.contains("mystery")), "{:?}", notes(&parsed));
}

// --- NewsML-G2 versions, kills and messages ------------------------------

#[test]
fn newsml_g2_versions_of_one_guid_then_a_kill() {
    let v1 = only("newsmlg2_fire_v1.xml");
    let v2 = only("newsmlg2_fire_v2.xml");
    let v3 = only("newsmlg2_fire_v3_canceled.xml");
    assert_eq!(v1.agency_id, "urn:newsml:example-wire.in:20241126:pune-fire");
    assert_eq!(v2.agency_id, v1.agency_id);
    assert_eq!(v3.agency_id, v1.agency_id);
    assert_eq!((v1.version, v2.version, v3.version), (Some(1), Some(2), Some(3)));
    assert!(v2.version_at > v1.version_at);
    assert_eq!(v1.first_published_at, utc("2024-11-26T04:30:00Z"));
    assert_eq!(v2.first_published_at, v1.first_published_at);
    assert_eq!(v2.version_at, utc("2024-11-26T07:00:00Z"));
    assert_eq!(v1.headline, "Fire breaks out at Pune warehouse");
    assert_eq!(v2.headline, "Fire at Pune warehouse brought under control");
    assert_eq!(v1.agency.as_deref(), Some("Example Wire"));
    assert_eq!(v1.dateline.as_deref(), Some("Pune"));
    assert_eq!(
        v2.body.as_str(),
        "<p>Firefighters brought the blaze at a Pune warehouse under control by noon.</p>\n<p>No one was injured, officials said.</p>\n"
    );
    assert_eq!((v1.status, v2.status), (WireStatus::Usable, WireStatus::Usable));
    assert_eq!(v3.status, WireStatus::Canceled);
    assert!(!v3.status.is_publishable());
}

#[test]
fn newsml_g2_message_keeps_good_items_and_notes_the_rest() {
    let parsed = parsed("newsmlg2_message.xml");
    assert_eq!(parsed.items.len(), 1);
    let item = &parsed.items[0];
    assert_eq!(item.agency_id, "urn:example:msg:1");
    assert_eq!(item.headline, "Markets open higher");
    assert_eq!(item.agency.as_deref(), Some("EXW"));
    assert_eq!(item.status, WireStatus::Withheld);
    assert_eq!(item.body.as_str(), "<p>Indian shares opened higher on Tuesday.</p>\n");
    assert_eq!(notes(&parsed), ["item 1: unknown element x:priority", "item 2: no headline"]);
    assert_eq!(parsed.notes_at(NoteLevel::Skipped), ["item 2: no headline"]);
    // The package is returned, not a story: it holds no references here.
    assert_eq!(parsed.packages.len(), 1);
    assert_eq!(parsed.packages[0].id, "urn:example:pkg:1");
}

// --- NITF -----------------------------------------------------------------

#[test]
fn nitf_canceled_article() {
    let parsed = parsed("nitf_canceled.xml");
    assert_eq!(parsed.format, Format::Nitf);
    let item = &parsed.items[0];
    assert_eq!(item.agency_id, "EXW-20241126-0042");
    assert_eq!(item.version, Some(4));
    assert_eq!(item.headline, "Bridge collapse toll rises to 12");
    assert_eq!(item.standfirst.as_deref(), Some("Rescuers search the river through the night"));
    assert_eq!(item.byline.as_deref(), Some("By Ravi Kumar"));
    assert_eq!(item.dateline.as_deref(), Some("Kolkata"));
    assert_eq!(item.agency.as_deref(), Some("Example Wire"));
    assert_eq!(item.first_published_at, utc("2024-11-26T00:30:00Z"));
    assert_eq!(item.version_at, utc("2024-11-26T03:45:00Z"));
    assert_eq!(item.status, WireStatus::Canceled);
    assert_eq!(labels(item), ["disaster"]);
    // Blocks unwrap, subheads become h2, media and &nbsp; are handled.
    assert_eq!(
        item.body.as_str(),
        "<p>The number of people killed when a footbridge collapsed&nbsp;in Kolkata rose to 12 on Tuesday.</p>\
         <h2>Search continues</h2><p>Divers were searching the river, officials said.</p>"
    );
    assert_eq!(notes(&parsed), ["unknown element x-custom"]);
}

#[test]
fn nitf_in_iso_8859_1() {
    let mut bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<nitf><head><docdata>\
        <doc-id id-string=\"z-1\"/><doc.management-status>withheld</doc.management-status></docdata></head>\
        <body><body.head><hedline><hl1>Z"
        .to_vec();
    bytes.push(0xFC); // ü in Latin-1
    bytes.extend_from_slice(b"rich votes</hl1></hedline><dateline>Z");
    bytes.push(0xFC);
    bytes.extend_from_slice(b"rich, Nov. 26</dateline></body.head><body.content><p>Gr");
    bytes.push(0xFC);
    bytes.extend_from_slice(b"ezi.</p></body.content></body></nitf>");
    let item = parse(&bytes).unwrap().items.remove(0);
    assert_eq!(item.headline, "Zürich votes");
    assert_eq!(item.dateline.as_deref(), Some("Zürich, Nov. 26"));
    assert_eq!(item.body.as_str(), "<p>Grüezi.</p>");
    // The older element spelling of the status is read too.
    assert_eq!(item.status, WireStatus::Withheld);
    assert_eq!(item.version, None);
}

// --- RSS and Atom -----------------------------------------------------------

#[test]
fn rss_feed_skips_the_item_without_a_title() {
    let parsed = parsed("rss_three_items.xml");
    assert_eq!(parsed.format, Format::Rss);
    assert_eq!(parsed.items.len(), 2);
    let [monsoon, cricket] = &parsed.items[..] else { unreachable!() };
    assert_eq!(monsoon.agency_id, "exw-monsoon-2024");
    assert_eq!(monsoon.headline, "Monsoon withdraws from the country");
    assert_eq!(monsoon.agency.as_deref(), Some("Example Wire"));
    assert_eq!(monsoon.byline.as_deref(), Some("Weather Desk"));
    assert_eq!(monsoon.first_published_at, utc("2024-11-26T04:30:00Z"));
    assert_eq!(monsoon.version, None);
    assert_eq!(labels(monsoon), ["weather"]);
    // content:encoded is the body; the description the standfirst.
    assert_eq!(
        monsoon.body.as_str(),
        "<p>The south-west monsoon has fully withdrawn from the country, the weather office said on Tuesday.</p><p>It was a normal season.</p>"
    );
    assert_eq!(monsoon.standfirst.as_deref(), Some("The monsoon has withdrawn fully, the weather office said."));
    // No guid: the link is the id; a plain description becomes the body.
    assert_eq!(cricket.agency_id, "https://wire.example.com/cricket-toss");
    assert_eq!(cricket.body.as_str(), "<p>India won the toss and chose to bat.</p>\n");
    assert_eq!(cricket.first_published_at, utc("2024-11-26T00:00:00Z"));
    assert_eq!(notes(&parsed), ["item 1: unknown element x:score", "item 2: no headline"]);
}

#[test]
fn atom_feed() {
    let parsed = parsed("atom_feed.xml");
    assert_eq!(parsed.format, Format::Atom);
    let [budget, rupee] = &parsed.items[..] else { panic!("{:?}", parsed.items) };
    assert_eq!(budget.agency_id, "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a");
    assert_eq!(budget.headline, "Budget session to begin on Monday");
    assert_eq!(budget.agency.as_deref(), Some("Example Atom Wire"));
    assert_eq!(budget.byline.as_deref(), Some("Parliament Desk"));
    assert_eq!(budget.standfirst.as_deref(), Some("Parliament's budget session begins on Monday."));
    assert_eq!(budget.first_published_at, utc("2024-11-25T08:00:00Z"));
    assert_eq!(budget.version_at, utc("2024-11-26T09:00:00Z"));
    assert_eq!(labels(budget), ["Politics"]);
    assert_body_contains(budget, "<p>The budget session of Parliament begins on Monday and runs for four weeks.</p>");
    assert_eq!(rupee.agency_id, "tag:atom.example.com,2024:rupee");
    assert_eq!(rupee.body.as_str(), "<p>The rupee was steady in early trade.</p>");
    assert_eq!(rupee.first_published_at, None);
    assert!(notes(&parsed).is_empty(), "{:?}", notes(&parsed));
}

// --- hostile and broken input ----------------------------------------------

fn assert_defused(item: &WireItem) {
    let html = item.body.as_str().to_lowercase();
    for bad in [
        "<script",
        "alert",
        "onclick",
        "onerror",
        "onload",
        "onmouseover",
        "javascript:",
        "<iframe",
        "<style",
        "<form",
        "<input",
        "<svg",
    ] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
}

#[test]
fn hostile_html_in_ninjs_is_sanitised() {
    let item = only("hostile.ninjs.json");
    assert_defused(&item);
    assert!(item.body.as_str().starts_with("<p>Ordinary first paragraph.</p>"), "{}", item.body.as_str());
    assert_body_contains(&item, "<p>Ordinary last paragraph.</p>");
    // A picture from another host is not shown inline (the agency's pictures
    // come through the image pipeline instead).
    assert!(!item.body.as_str().contains("<img"), "{}", item.body.as_str());
}

#[test]
fn hostile_xhtml_in_newsml_is_sanitised() {
    let item = only("hostile.newsml.xml");
    assert_defused(&item);
    assert_body_contains(&item, "<p>Ordinary paragraph.</p>");
}

#[test]
fn hostile_html_in_rss_and_nitf_is_sanitised() {
    let rss = br#"<rss version="2.0"><channel><title>W</title><item><title>T</title><guid>g</guid>
        <description>&lt;p onclick="x()"&gt;Hi&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;</description>
        </item></channel></rss>"#;
    assert_defused(&parse(rss).unwrap().items[0]);
    let nitf = br#"<nitf><head><docdata><doc-id id-string="n"/></docdata></head><body><body.head><hedline><hl1>T</hl1></hedline></body.head>
        <body.content><p onclick="x()">Hi</p><script>alert(1)</script><a href="javascript:alert(1)">x</a></body.content></body></nitf>"#;
    let item = parse(nitf).unwrap().items.remove(0);
    assert_defused(&item);
    assert_body_contains(&item, "<p>Hi</p>");
}

#[test]
fn malformed_json_is_rejected_with_its_position() {
    let error = rejected("malformed.json");
    assert!(matches!(error, WireError::Json { line: 4, .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.starts_with("not valid JSON at line 4"), "{message}");
    assert!(!message.contains('\n'));
    assert!(matches!(detect(&fixture("malformed.json")), Err(WireError::Json { .. })));
}

#[test]
fn malformed_xml_is_rejected_with_its_position() {
    let error = rejected("malformed.xml");
    let message = error.to_string();
    assert!(message.starts_with("XML is not well-formed at byte "), "{message}");
    assert!(message.contains("</title>"), "{message}");
    assert!(!message.contains('\n'));
    // Unclosed at the end of the file is not well-formed either.
    let truncated = parse(b"<rss><channel><item><title>x</title>").unwrap_err();
    assert!(truncated.to_string().starts_with("XML is not well-formed"), "{truncated}");
}

#[test]
fn absurdly_deep_xml_is_refused_not_a_stack_overflow() {
    let deep = format!("<rss>{}{}</rss>", "<x>".repeat(100_000), "</x>".repeat(100_000));
    let message = parse(deep.as_bytes()).unwrap_err().to_string();
    assert!(message.contains("nested deeper than"), "{message}");
}

#[test]
fn an_html_page_is_an_unknown_format() {
    let error = rejected("page.html");
    assert_eq!(error, WireError::UnknownFormat("root element <html>".into()));
    assert_eq!(error.to_string(), "unknown format: root element <html>");
}

#[test]
fn empty_and_unrecognisable_files() {
    assert_eq!(rejected("empty.txt"), WireError::Empty);
    assert_eq!(parse(b" \n\t "), Err(WireError::Empty));
    assert_eq!(parse(b"hello"), Err(WireError::UnknownFormat("neither JSON nor XML".into())));
    assert!(matches!(parse(br#"{"name": "not news"}"#), Err(WireError::UnknownFormat(_))));
}

#[test]
fn feeds_with_no_usable_items() {
    assert_eq!(parse(b"<rss version=\"2.0\"><channel><title>W</title></channel></rss>"), Err(WireError::NoItems));
    let two_bad = br#"<feed xmlns="http://www.w3.org/2005/Atom"><title>W</title>
        <entry><id>a</id></entry><entry><id>b</id><title>  </title></entry></feed>"#;
    assert_eq!(parse(two_bad).unwrap_err().to_string(), "no usable items: item 1: no headline; item 2: no headline");
}

// --- shapes agencies really send (issue 23) -----------------------------------

#[test]
fn ap_nitf_with_an_empty_doc_id_and_a_preformatted_take() {
    let parsed = parsed("nitf_ap_no_id.xml");
    let item = &parsed.items[0];
    // No id: known by a hash of headline and issue date, which re-sends share.
    assert_eq!(item.id_source, IdSource::HeadlineAndDate);
    assert_eq!(item.agency_id, only("nitf_ap_no_id.xml").agency_id);
    // (the importer says which id it used: see the HTTP tests)
    // The agency from the id's registration source; the byline from the "By" line.
    assert_eq!(item.agency.as_deref(), Some("AP"));
    assert_eq!(item.byline.as_deref(), Some("By PRIYA SHARMA"));
    // One <p> holding the whole take: paragraphs and a list, as a reader sees them.
    assert_eq!(
        item.body.as_str(),
        "<p>MUMBAI, India (AP) — Heavy monsoon rains flooded low-lying suburbs of Mumbai on Tuesday, halting trains and closing schools.</p>\n\
         <p>The weather office warned of more rain through Thursday.</p>\n\
         <p>Officials said:</p>\n\
         <ul>\n<li>local trains on the Harbour line were suspended</li>\n<li>schools in three districts will stay shut</li>\n</ul>\n\
         <p>Residents waded through knee-deep water to reach higher ground.</p>\n"
    );
    assert_eq!(
        item.body.free_part().as_str(),
        "<p>MUMBAI, India (AP) — Heavy monsoon rains flooded low-lying suburbs of Mumbai on Tuesday, halting trains and closing schools.</p>"
    );
    assert_eq!(item.urgency, Some(2));
    assert_eq!(item.subjects, [Subject::new(Some("apcategory:i"), None).unwrap()]);
    // The picture beside the file, with its caption and credit; none of it in the body.
    assert_eq!(item.pictures.len(), 1);
    let picture = &item.pictures[0];
    assert_eq!(picture.source, PictureSource::Link("photo_16x12.png".into()));
    assert_eq!((picture.width, picture.height), (Some(16), Some(12)));
    assert_eq!(picture.caption.as_deref(), Some("Commuters wade through a flooded street in Mumbai on Tuesday."));
    assert_eq!(picture.credit.as_deref(), Some("AP Photo/Rafiq Maqbool"));
    assert_eq!(picture.alt.as_deref(), Some("A flooded street in Mumbai"));
    assert!(!item.body.as_str().contains("Commuters"));
}

#[test]
fn a_package_is_returned_with_its_references_not_as_a_story() {
    let parsed = parsed("newsmlg2_reuters_package.xml");
    assert!(parsed.items.is_empty());
    let package = &parsed.packages[0];
    assert_eq!(package.id, "tag:reuters.com,2024:newsml_PKG-RBI");
    assert_eq!(package.headline.as_deref(), Some("RBI holds rates, cuts cash reserve ratio"));
    assert_eq!(package.refs.len(), 5);
    assert_eq!(package.refs[0], "tag:reuters.com,2024:newsml_L4N-RBI-RATES");
}

#[test]
fn the_agency_is_the_credit_line_not_the_providers_domain() {
    let v1 = only("newsmlg2_reuters_rates_v1.xml");
    assert_eq!(v1.agency.as_deref(), Some("Reuters"));
    assert_eq!(v1.byline.as_deref(), Some("Reporting by Swati Bhat"));
    assert_eq!(v1.urgency, Some(1));
    assert_eq!(v1.revision, None);
    let codes: Vec<&str> = v1.subjects.iter().filter_map(|s| s.code.as_deref()).collect();
    assert_eq!(codes, ["N2:CEN", "medtop:20000344", "RTRSMEMB:BUSINESS"]);
    // A write-through says what it changed and brings a picture.
    let v2 = only("newsmlg2_reuters_rates_v2.xml");
    assert_eq!(v2.agency_id, v1.agency_id);
    assert_eq!(v2.version, Some(2));
    let revision = v2.revision.clone().unwrap();
    assert!(!revision.correction);
    assert_eq!(revision.display(), "Updates with comments from the governor, market reaction");
    assert_eq!(v2.pictures[0].source, PictureSource::Link("photo_16x12.png".into()));
    assert_eq!(v2.pictures[0].caption.as_deref(), Some("RBI headquarters in Mumbai"));
    let v3 = only("newsmlg2_reuters_rates_v3_correction.xml");
    assert!(v3.revision.unwrap().correction);
}

#[test]
fn a_picture_item_goes_with_the_story_that_links_it() {
    let parsed = parsed("newsmlg2_message_picture.xml");
    assert_eq!(parsed.items.len(), 1, "the picture is not a story");
    let item = &parsed.items[0];
    assert_eq!(
        item.body.as_str(),
        "<p>Thousands of flamingos returned to Thane creek this week.</p>\n<p>Birdwatchers counted more than 40,000.</p>\n"
    );
    let picture = &item.pictures[0];
    let PictureSource::Inline(bytes) = &picture.source else { panic!("{picture:?}") };
    assert_eq!(bytes.as_slice(), fixture("photo_16x12.png").as_slice());
    assert_eq!(picture.content_type.as_deref(), Some("image/png"));
    assert_eq!(picture.caption.as_deref(), Some("Flamingos at Thane creek on Wednesday."));
    assert_eq!(picture.alt.as_deref(), Some("Pink flamingos wading in shallow water"));
    assert_eq!(picture.credit.as_deref(), Some("Example Wire/Anil Rao"));
}

#[test]
fn ninjs_1_0_from_a_newsroom_system() {
    let item = only("ninjs1_superdesk.json");
    assert_eq!(item.agency_id, "urn:newsml:example.com.au:20241126:aap-budget");
    assert_eq!(item.id_source, IdSource::Agency("guid"));
    assert_eq!(item.agency.as_deref(), Some("AAP"), "ninjs `source`");
    assert_eq!(item.byline.as_deref(), Some("Paul Osborne"));
    assert_eq!(item.urgency, Some(2), "priority");
    assert_eq!(item.revision.as_ref().unwrap().display(), "Updates with opposition response");
    let codes: Vec<&str> = item.subjects.iter().filter_map(|s| s.code.as_deref()).collect();
    assert_eq!(codes, ["subj:04018000", "apcategory:f"]);
    // A <pre> in the classic layout: an indented line opens each paragraph.
    assert_eq!(
        item.body.as_str(),
        "<p>CANBERRA, Nov 26 AAP - The treasurer has unveiled a surplus budget with tax cuts for middle-income earners.</p>\n<p>The opposition called it a pre-election sugar hit.</p>\n<p>Parliament sits again on Monday.</p>\n"
    );
    let picture = &item.pictures[0];
    assert_eq!(picture.source, PictureSource::Link("https://images.example.com.au/budget-original.jpg".into()));
    assert_eq!(picture.caption.as_deref(), Some("The treasurer delivers the budget in Canberra."));
    assert_eq!(picture.credit.as_deref(), Some("AAP Image/Lukas Coch"));
}

#[test]
fn embargoes_are_read_in_every_format() {
    assert_eq!(only("ninjs3_embargoed.json").embargoed, utc("2099-01-01T00:00:00Z"));
    let ninjs1 = br#"{"uri": "urn:e", "headline": "x", "body_text": "y", "embargoed": "2099-01-01T05:30:00+05:30"}"#;
    assert_eq!(parse(ninjs1).unwrap().items[0].embargoed, utc("2099-01-01T00:00:00Z"));
    let g2 = r#"<newsItem guid="urn:g" version="1"><itemMeta><embargoed>2099-01-01T00:00:00Z</embargoed></itemMeta>
        <contentMeta><headline>x</headline></contentMeta></newsItem>"#;
    assert_eq!(parse(g2.as_bytes()).unwrap().items[0].embargoed, utc("2099-01-01T00:00:00Z"));
    let nitf = r#"<nitf><head><docdata><doc-id id-string="n"/><date.release norm="20990101T000000Z"/></docdata></head>
        <body><body.head><hedline><hl1>x</hl1></hedline></body.head></body></nitf>"#;
    assert_eq!(parse(nitf.as_bytes()).unwrap().items[0].embargoed, utc("2099-01-01T00:00:00Z"));
}

#[test]
fn newsml_1_in_latin_1_with_an_nitf_text_and_a_photo() {
    let parsed = parsed("newsml1_afp_latin1.xml");
    assert_eq!(parsed.format, Format::NewsMl1);
    let item = &parsed.items[0];
    assert_eq!(item.agency_id, "urn:newsml:afp.com:20241126:TX-PAR-XYZ12", "without the revision");
    assert_eq!(item.version, Some(1));
    assert_eq!(item.headline, "Fête de la science : la comète revient à Paris");
    assert_eq!(item.agency.as_deref(), Some("AFP"));
    assert_eq!(item.byline.as_deref(), Some("Par Amélie Durand"));
    assert_eq!(item.dateline.as_deref(), Some("Paris"));
    assert_eq!(item.status, WireStatus::Usable);
    assert_eq!(item.embargoed, utc("2024-11-26T11:00:00Z"));
    assert_eq!(item.urgency, Some(3));
    assert_body_contains(item, "<p>La comète Tchouri sera visible");
    let codes: Vec<&str> = item.subjects.iter().filter_map(|s| s.code.as_deref()).collect();
    assert_eq!(codes, ["subj:13000000", "subj:13004000"]);
    assert_eq!(item.pictures.len(), 1, "one photo, several renditions: {:?}", item.pictures);
    assert_eq!(item.pictures[0].source, PictureSource::Link("https://photos.example.fr/comete-hr.jpg".into()));
    assert_eq!(item.pictures[0].credit.as_deref(), Some("AFP/Jean Martin"));
}

#[test]
fn a_repeated_id_for_different_stories_is_not_trusted() {
    let rss = br#"<rss version="2.0"><channel><title>Wire</title>
        <item><title>One story</title><guid>https://wire.example/feed</guid><description>a</description></item>
        <item><title>Another story</title><guid>https://wire.example/feed</guid><description>b</description></item>
    </channel></rss>"#;
    let parsed = parse(rss).unwrap();
    assert_ne!(parsed.items[0].agency_id, parsed.items[1].agency_id);
    assert_eq!(parsed.items[0].id_source, IdSource::Headline);
    assert!(notes(&parsed)[0].contains("is repeated in the file"), "{:?}", notes(&parsed));
}

// --- detection ----------------------------------------------------------------

#[test]
fn detection_by_root_element_whatever_the_prefix() {
    assert_eq!(detect(&fixture("ap_kremlin.ninjs.json")), Ok(Format::Ninjs));
    assert_eq!(detect(&fixture("newsmlg2_fire_v1.xml")), Ok(Format::NewsMlG2)); // nar: prefix
    assert_eq!(detect(&fixture("newsmlg2_message.xml")), Ok(Format::NewsMlG2));
    assert_eq!(detect(&fixture("nitf_canceled.xml")), Ok(Format::Nitf));
    assert_eq!(detect(&fixture("rss_three_items.xml")), Ok(Format::Rss));
    assert_eq!(detect(&fixture("atom_feed.xml")), Ok(Format::Atom));
    assert_eq!(detect(b"\xEF\xBB\xBF<a:feed xmlns:a=\"http://www.w3.org/2005/Atom\"/>"), Ok(Format::Atom));
    assert_eq!(detect(b"[{\"uri\": \"x\"}]"), Ok(Format::Ninjs));
}

#[test]
fn every_shared_sample_that_is_a_news_item_parses() {
    let items = [
        "ninjs3_dpa_text.json",
        "ninjs3_ntb_text.json",
        "ninjs3_tt_text_image.json",
        "ninjs3_aap_addb_nitf_body.json",
        "newsmlg2_listing1_news_item.xml",
        "newsmlg2_listing2_text_document.xml",
    ];
    for name in items {
        let parsed = parsed(name);
        assert_eq!(parsed.items.len(), 1, "{name}");
        assert!(parsed.items[0].version.is_some(), "{name}");
    }
}

// --- languages ------------------------------------------------------------

#[test]
fn every_format_says_its_language_where_the_file_does() {
    let lang = |name: &str| only(name).language.map(|l| l.to_string());
    // ninjs `language`, NewsML-G2 `language` or the item's `xml:lang`, NewsML 1.x `Language`.
    assert_eq!(lang("ninjs3_dpa_text.json").as_deref(), Some("de"));
    assert_eq!(lang("ninjs3_ntb_text.json").as_deref(), Some("nb-NO"));
    assert_eq!(lang("newsmlg2_listing2_text_document.xml").as_deref(), Some("en-US"));
    assert_eq!(lang("newsmlg2_listing1_news_item.xml").as_deref(), Some("en-GB"), "the item's, not a subject name's");
    assert_eq!(lang("ap_kremlin.newsml.xml").as_deref(), Some("en-US"));
    assert_eq!(lang("newsml1_afp_latin1.xml").as_deref(), Some("fr"));
    // A file that says nothing leaves it to the story's script.
    assert_eq!(lang("nitf_ap_no_id.xml"), None);

    // NITF: `xml:lang` (or `lang`) on the document or its body, else `baselang`.
    let nitf = |attrs: &str| {
        let file = format!(
            r#"<nitf {attrs}><head><title>मुंबई में बारिश</title></head><body><body.head><hedline><hl1>मुंबई में बारिश</hl1></hedline></body.head>
               <body.content><p>शहर में भारी बारिश हुई।</p></body.content></body></nitf>"#
        );
        parse(file.as_bytes()).unwrap().items.remove(0).language.map(|l| l.to_string())
    };
    assert_eq!(nitf(r#"xml:lang="hi""#).as_deref(), Some("hi"));
    assert_eq!(nitf(r#"baselang="mr-IN""#).as_deref(), Some("mr-IN"));
    assert_eq!(nitf("").as_deref(), None);

    // RSS: the item's `dc:language`, else the channel's `language`; Atom: `xml:lang`.
    let rss = r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Wire</title><language>en-in</language>
        <item><title>One</title><guid>1</guid><description>Text.</description></item>
        <item><title>दो</title><guid>2</guid><description>पाठ।</description><dc:language>hi</dc:language></item></channel></rss>"#;
    let items = parse(rss.as_bytes()).unwrap().items;
    let tags: Vec<String> = items.iter().filter_map(|i| i.language.as_ref().map(ToString::to_string)).collect();
    assert_eq!(tags, ["en-IN", "hi"]);
    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de"><title>Wire</title>
        <entry><id>1</id><title>Eins</title><updated>2024-01-01T00:00:00Z</updated><summary>Text.</summary></entry>
        <entry xml:lang="ta"><id>2</id><title>இரண்டு</title><updated>2024-01-01T00:00:00Z</updated><summary>உரை.</summary></entry></feed>"#;
    let items = parse(atom.as_bytes()).unwrap().items;
    let tags: Vec<String> = items.iter().filter_map(|i| i.language.as_ref().map(ToString::to_string)).collect();
    assert_eq!(tags, ["de", "ta"]);

    // A value that is no language tag is noted and left to the script.
    let odd = br#"{"uri": "urn:x:1", "language": "English", "headline": "Rates hold", "body_text": "The bank waits."}"#;
    let parsed = parse(odd).unwrap();
    assert_eq!(parsed.items[0].language, None);
    assert!(notes(&parsed).iter().any(|n| n.contains("\"English\" is not a language tag")), "{:?}", notes(&parsed));
}
