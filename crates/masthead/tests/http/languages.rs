//! Stories in other languages over HTTP: a Hindi headline and a German one
//! get readable slugs (transliterated, never the placeholder `story`); a
//! Hindi story's page, card and structured data say `hi`; and search finds
//! Hindi words — with viramas and nuktas — and phrases, on the API and the
//! search page.

use std::time::{Duration, Instant};

use chrono::Utc;
use masthead_domain::slug::story_path;
use masthead_domain::{ArticleStatus, Credit, NewArticle, SafeHtml};

use crate::support::{Backend, TestApp, form_body, on_every_backend, spawn_app, text_of};

on_every_backend!(a_hindi_story_has_a_readable_slug_says_its_language_and_is_found_by_its_words);

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
