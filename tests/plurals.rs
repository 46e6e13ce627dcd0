//! Plural forms per locale: the categories each language needs render with the right words.

use helpline::domain::Locale;
use helpline::i18n::Args;

use crate::support::content::shipped;

fn summary(locale: Locale, n: i64) -> String {
    let content = shipped();
    content
        .localizer
        .try_text(
            locale,
            "plan-result-summary",
            &Args::new().number("count", n),
        )
        .unwrap_or_else(|e| panic!("{locale}: {e}"))
}

/// For each locale, counts that fall in different plural categories must render differently,
/// and counts in the same category alike (apart from the number itself).
#[test]
fn plural_categories_differ_where_the_language_has_them() {
    // (locale, counts of one category, counts of another, …). Ukrainian and Russian also say
    // "one step" in words for exactly 1, so their `one` category is sampled at 21 and 31.
    let cases: [(Locale, &[&[i64]]); 7] = [
        (Locale::En, &[&[1], &[2, 5, 21]]),
        (Locale::Uk, &[&[21, 31], &[2, 3, 22], &[5, 11, 25]]),
        (Locale::Ru, &[&[21, 31], &[2, 3, 22], &[5, 11, 25]]),
        (Locale::Kk, &[&[1], &[2, 5]]),
        (Locale::Sr, &[&[1, 21], &[2, 3, 22], &[5, 11, 25]]),
        (Locale::Mk, &[&[1, 21], &[2, 5, 11]]),
        (Locale::Sq, &[&[1], &[2, 5, 21]]),
    ];
    for (locale, categories) in cases {
        let shapes: Vec<Vec<String>> = categories
            .iter()
            .map(|counts| {
                counts
                    .iter()
                    .map(|n| summary(locale, *n).replace(&n.to_string(), "#"))
                    .collect()
            })
            .collect();
        for (i, shape) in shapes.iter().enumerate() {
            assert!(
                shape.windows(2).all(|w| w[0] == w[1]),
                "{locale}: one category renders differently: {shape:?}"
            );
            for other in &shapes[i + 1..] {
                if locale == Locale::Kk {
                    // Kazakh nouns do not change after numerals: one and other may read alike.
                    continue;
                }
                assert_ne!(shape[0], other[0], "{locale}: categories render alike");
            }
        }
    }
}
