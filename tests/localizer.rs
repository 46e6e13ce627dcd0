//! The localizer's safety net: a message missing in one locale falls back along its chain
//! (Kazakh → Russian → English), never to a raw id; and a broken file refuses to load.

use helpline::domain::Locale;
use helpline::i18n::{Args, Localizer};

use crate::support::content::Fixture;

fn remove_message(f: &Fixture, rel: &str, id: &str) {
    let text = f.read(rel);
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with(id)).collect();
    f.write(rel, &kept.join("\n"));
}

#[test]
fn kazakh_falls_back_to_russian_then_english() {
    let f = Fixture::copy_shipped();
    let locales = f.path("locales");
    let shipped = Localizer::load(&locales).expect("shipped locales load");
    let russian = shipped.text(Locale::Ru, "btn-next", &Args::new());
    let english = shipped.text(Locale::En, "btn-next", &Args::new());

    remove_message(&f, "locales/kk/common.ftl", "btn-next");
    let l = Localizer::load(&locales).expect("loads with a gap");
    assert_eq!(l.text(Locale::Kk, "btn-next", &Args::new()), russian);

    remove_message(&f, "locales/ru/common.ftl", "btn-next");
    let l = Localizer::load(&locales).expect("loads with two gaps");
    assert_eq!(l.text(Locale::Kk, "btn-next", &Args::new()), english);
    assert!(
        l.try_text(Locale::Kk, "btn-next", &Args::new()).is_err(),
        "the gap itself is visible to checks"
    );
}

#[test]
fn ukrainian_never_falls_back_to_russian() {
    let f = Fixture::copy_shipped();
    let locales = f.path("locales");
    remove_message(&f, "locales/uk/common.ftl", "btn-next");
    let l = Localizer::load(&locales).expect("loads");
    assert_eq!(
        l.text(Locale::Uk, "btn-next", &Args::new()),
        l.text(Locale::En, "btn-next", &Args::new())
    );
}

#[test]
fn an_unknown_id_is_never_shown_raw() {
    let l = Localizer::load(&crate::support::content::root().join("locales")).expect("loads");
    let text = l.text(Locale::Sq, "no-such-message", &Args::new());
    assert!(!text.contains("no-such-message"));
}

#[test]
fn a_broken_file_refuses_to_load_with_its_line() {
    let f = Fixture::copy_shipped();
    let text = f.read("locales/mk/common.ftl");
    f.write("locales/mk/common.ftl", &format!("{text}\nbroken = {{ $\n"));
    let err = match Localizer::load(&f.path("locales")) {
        Ok(_) => panic!("a broken locale loaded"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("common.ftl:"), "{err}");
    assert!(err.contains("Fluent syntax error"), "{err}");
}

#[test]
fn placeables_carry_no_isolation_marks() {
    let l = Localizer::load(&crate::support::content::root().join("locales")).expect("loads");
    for locale in Locale::ALL {
        let text = l.text(locale, "sos-header", &Args::new().text("country", "X"));
        assert!(
            !text.contains('\u{2068}') && !text.contains('\u{2069}'),
            "{locale}: {text:?}"
        );
        assert!(text.contains('X'));
    }
}
