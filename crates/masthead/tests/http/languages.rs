//! Stories in other languages over HTTP: a Hindi headline and a German one
//! get readable slugs (transliterated, never the placeholder `story`); a
//! Hindi story's page, card and structured data say `hi`; and search finds
//! Hindi words — with viramas and nuktas — and phrases, on the API and the
//! search page. Each story's language is stored: chosen in the newsroom (or
//! read from the script), taken from wire copy whose file says it, and said
//! by the page, the API and the feeds.

use std::time::{Duration, Instant};

use chrono::Utc;
use masthead_domain::slug::story_path;
use masthead_domain::{ArticleStatus, Credit, Lang, NewArticle, SafeHtml};

use masthead_store::Store;

use crate::support::{
    Backend, TestApp, TestDatabase, form_body, on_every_backend, site_config, spawn_app, spawn_on, text_of,
};
use crate::wire::{import_to, path_in};

on_every_backend!(
    a_hindi_story_has_a_readable_slug_says_its_language_and_is_found_by_its_words,
    a_story_written_in_the_newsroom_stores_its_language_and_says_it_everywhere,
    wire_copy_keeps_the_language_its_file_says,
);

const HINDI_HEADLINE: &str = "भारत की अर्थव्यवस्था में तेज़ी";
const HINDI_STANDFIRST: &str = "रिज़र्व बैंक ने ब्याज दरें घटाईं";

fn story(headline: &str, standfirst: &str, paragraphs: [&str; 2]) -> NewArticle {
    let now = Utc::now();
    NewArticle {
        section: "economy".into(),
        headline: headline.into(),
        standfirst: standfirst.into(),
        body: SafeHtml::from_paragraphs(paragraphs),
        credit: Credit::Staff("Test Writer".into()),
        dateline: None,
        premium: false,
        status: ArticleStatus::Published,
        first_published_at: now,
        updated_at: now,
        lang: Lang::detect(headline, standfirst, ""),
    }
}

/// Polls the search API for `q` until it finds `id` (the indexer works in
/// the background); returns the answer.
async fn found(app: &TestApp, q: &str, id: i64) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let answer = app.json(&format!("/api/v1/search?{}", form_body(&[("q", q)])), 200).await;
        if answer["results"].as_array().is_some_and(|r| r.iter().any(|r| r["id"] == id)) {
            return answer;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{q}: {answer}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_hindi_story_has_a_readable_slug_says_its_language_and_is_found_by_its_words(backend: Backend) {
    let app = spawn_app(backend).await;
    let hindi = story(
        HINDI_HEADLINE,
        HINDI_STANDFIRST,
        ["मुंबई में शेयर बाज़ार ने आज नया रिकॉर्ड बनाया।", "विशेषज्ञों का कहना है कि महंगाई पर नियंत्रण से निवेशकों का भरोसा बढ़ा है।"],
    );
    let slug = hindi.slug();
    assert_ne!(slug.as_str(), "story", "the Hindi headline is transliterated");
    assert!(slug.as_str().len() > 20, "{slug}");
    let id = app.store.insert_article(&hindi).await.unwrap();
    let path = story_path("economy", &slug, id);
    let german = story("Tränen über Köln", "Ein Tag im Regen.", ["Der Rhein steigt.", "Die Stadt wartet."]);
    assert_eq!(german.slug().as_str(), "tranen-uber-koln");
    let german_id = app.store.insert_article(&german).await.unwrap();

    // The page says the story's language; the site's frame stays English.
    let html = app.page(&path, 200).await;
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains(r#"<article class="story" lang="hi">"#), "{html}");
    assert!(html.contains(r#""inLanguage":"hi""#), "the structured data says so too");
    let german_page = app.page(&story_path("economy", &german.slug(), german_id), 200).await;
    assert!(german_page.contains(r#"<article class="story">"#), "Latin script is the site's language");
    // So does its card on the section page.
    let section = app.page("/economy", 200).await;
    assert!(section.contains(r#"<li class="card" lang="hi">"#), "the card says hi");

    // Search finds a word of the headline, words with a virama or a nukta in
    // the standfirst and body, and a phrase; the page shows the result.
    for q in ["अर्थव्यवस्था", "ब्याज", "बाज़ार", "\"रिज़र्व बैंक\"", "निवेशकों भरोसा"]
    {
        let answer = found(&app, q, id).await;
        assert_eq!(answer["results"][0]["headline"], HINDI_HEADLINE, "{q}: {answer}");
    }
    // A phrase whose words are all there, but not together, finds nothing.
    let apart = app.json(&format!("/api/v1/search?{}", form_body(&[("q", "\"बैंक रिज़र्व\"")])), 200).await;
    assert_eq!(apart["total"], 0, "{apart}");
    let page = text_of(&app.page(&format!("/search?{}", form_body(&[("q", "अर्थव्यवस्था")])), 200).await);
    assert!(page.contains("1 result") && page.contains(HINDI_HEADLINE), "{page}");
}

/// The story id a newsroom save redirected to.
fn saved_id(response: &reqwest::Response) -> i64 {
    assert_eq!(response.status().as_u16(), 303, "the save redirects");
    let location = response.headers()["location"].to_str().unwrap();
    location.strip_prefix("/newsroom/stories/").and_then(|rest| rest.split('?').next()?.parse().ok()).expect(location)
}

/// What the page, the API and the feeds say of story `id` at `path`.
async fn says_its_language(app: &TestApp, id: i64, path: &str, lang: &str) {
    let page = app.page(path, 200).await;
    assert!(page.contains(&format!(r#"<article class="story" lang="{lang}">"#)), "{page}");
    assert!(page.contains(&format!(r#""inLanguage":"{lang}""#)), "the structured data");
    let story = app.json(&format!("/api/v1/articles/{id}"), 200).await;
    assert_eq!(story["lang"], lang, "{story}");
    let section = path.split('/').nth(1).unwrap();
    let list = app.json(&format!("/api/v1/articles?section={section}"), 200).await;
    let item = list["articles"].as_array().unwrap().iter().find(|a| a["id"] == id).expect("listed");
    assert_eq!(item["lang"], lang, "{item}");
    let rss = app.page("/feed.xml", 200).await;
    let item = rss.split("<item>").find(|item| item.contains(path)).expect("in the RSS feed");
    assert!(item.contains(&format!("<dc:language>{lang}</dc:language>")), "{item}");
    let atom = app.page("/atom.xml", 200).await;
    let entry = atom.split("<entry ").find(|entry| entry.contains(path)).expect("in the Atom feed");
    assert!(entry.starts_with(&format!(r#"xml:lang="{lang}">"#)), "{entry}");
}

async fn a_story_written_in_the_newsroom_stores_its_language_and_says_it_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut editor = crate::newsroom::staff(&app, "desk@news.example", "editor").await;
    let form = editor.page("/newsroom/stories/new", 200).await;
    assert!(
        form.contains(r#"<select id="lang" name="lang"><option value="" selected>Detect from the text</option><option value="en">English</option><option value="hi">Hindi — हिन्दी</option>"#),
        "{form}"
    );
    let fields = |headline: &'static str, body: &'static str, lang: &'static str| {
        vec![
            ("headline", headline),
            ("standfirst", HINDI_STANDFIRST),
            ("body", body),
            ("section", "economy"),
            ("byline", "प्रिया रमन"),
            ("lang", lang),
            ("action", "publish"),
        ]
    };
    // Left to the script, Devanagari is Hindi.
    let body = "मुंबई में शेयर बाज़ार ने नया रिकॉर्ड बनाया।\n\nनिवेशकों का भरोसा बढ़ा है।";
    let response = editor.submit("/newsroom/stories/new", "/newsroom/stories", &fields(HINDI_HEADLINE, body, "")).await;
    let id = saved_id(&response);
    let stored = app.store.desk_article(id).await.unwrap().unwrap();
    assert_eq!(stored.content.lang.as_str(), "hi");
    says_its_language(&app, id, &stored.story.path, "hi").await;
    let sitemap = app.page("/news-sitemap.xml", 200).await;
    let entry = sitemap.split("<url>").find(|u| u.contains(&stored.story.path)).expect("in the news sitemap");
    assert!(entry.contains("<news:language>hi</news:language>"), "{entry}");
    let rss = app.page("/feed.xml", 200).await;
    assert!(rss.contains("<dc:language>en</dc:language>"), "the English stories say theirs");
    // Search finds it by a word of its body.
    found(&app, "निवेशकों", id).await;

    // Chosen: Marathi, which the script alone would call Hindi; the editor shows the choice.
    let response = editor
        .submit(
            "/newsroom/stories/new",
            "/newsroom/stories",
            &fields("मुंबईत मुसळधार पाऊस", "शहरातील वाहतूक ठप्प झाली.", "mr"),
        )
        .await;
    let marathi = saved_id(&response);
    let stored = app.store.desk_article(marathi).await.unwrap().unwrap();
    assert_eq!(stored.content.lang.as_str(), "mr");
    says_its_language(&app, marathi, &stored.story.path, "mr").await;
    let form = editor.page(&format!("/newsroom/stories/{marathi}"), 200).await;
    assert!(form.contains(r#"<option value="mr" selected>Marathi — मराठी</option>"#), "{form}");
    let revisions = editor.page(&format!("/newsroom/stories/{marathi}/revisions/1"), 200).await;
    assert!(text_of(&revisions).contains("Language: mr"), "{revisions}");

    // A forged language is refused with the reason, and nothing is stored.
    let before = app.store.article_count().await.unwrap();
    let response = editor
        .submit("/newsroom/stories/new", "/newsroom/stories", &fields(HINDI_HEADLINE, "पाठ।", "hi\"><script>"))
        .await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("Choose a language from the list."), "{page}");
    assert_eq!(app.store.article_count().await.unwrap(), before);
}

async fn wire_copy_keeps_the_language_its_file_says(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let url = database.url.clone();
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let app = spawn_on(store, database, site_config()).await;
    let dir = tempfile::tempdir().unwrap();
    // NewsML-G2 in Marathi (`xml:lang`), NITF in Hindi written in Latin
    // letters (`xml:lang` wins over the script), and ninjs in Devanagari
    // that says nothing (the script says Hindi).
    let g2 = dir.path().join("marathi.xml");
    std::fs::write(
        &g2,
        r#"<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:example:marathi" version="1" standard="NewsML-G2" xml:lang="mr">
  <itemMeta><itemClass qcode="ninat:text"/><provider literal="Example Wire"/><versionCreated>2024-11-26T10:00:00Z</versionCreated><pubStatus qcode="stat:usable"/></itemMeta>
  <contentMeta><headline>मुंबईत मुसळधार पाऊस</headline><description>शहरातील वाहतूक ठप्प झाली.</description></contentMeta>
  <contentSet><inlineData contenttype="text/plain">मुंबईत आज मुसळधार पाऊस झाला.</inlineData></contentSet>
</newsItem>"#,
    )
    .unwrap();
    let nitf = dir.path().join("hinglish.xml");
    std::fs::write(
        &nitf,
        r#"<nitf xml:lang="hi"><head><title>Dilli mein garmi</title><docdata><doc-id id-string="example-hinglish"/></docdata></head>
  <body><body.head><hedline><hl1>Dilli mein garmi ka kahar</hl1></hedline></body.head><body.content><p>Aaj Dilli mein paara 45 degree tak pahuncha.</p></body.content></body></nitf>"#,
    )
    .unwrap();
    let ninjs = dir.path().join("hindi.json");
    std::fs::write(
        &ninjs,
        format!(
            r#"{{"uri": "urn:example:hindi", "versionCreated": "2024-11-26T11:00:00Z", "copyrightHolder": "Example Wire",
                "headlines": [{{"role": "main", "value": "{HINDI_HEADLINE}"}}],
                "bodies": [{{"role": "text", "contentType": "text/plain", "value": "रिज़र्व बैंक ने ब्याज दरें घटाईं।"}}]}}"#
        ),
    )
    .unwrap();
    let lines = import_to(
        &url,
        &[
            "--publish",
            "--agency",
            "Example Wire",
            g2.to_str().unwrap(),
            nitf.to_str().unwrap(),
            ninjs.to_str().unwrap(),
        ],
    );
    let created: Vec<&str> = lines.iter().filter(|l| l.starts_with("created ")).map(|l| path_in(l)).collect();
    assert_eq!(created.len(), 3, "{lines:#?}");
    for path in created {
        let id: i64 = path.rsplit('-').next().unwrap().parse().unwrap();
        let stored = app.store.desk_article(id).await.unwrap().unwrap();
        let lang = match stored.content.headline.as_str() {
            "मुंबईत मुसळधार पाऊस" => "mr",
            "Dilli mein garmi ka kahar" | HINDI_HEADLINE => "hi",
            other => panic!("{other}"),
        };
        assert_eq!(stored.content.lang.as_str(), lang, "{path}");
        says_its_language(&app, id, path, lang).await;
    }
}
