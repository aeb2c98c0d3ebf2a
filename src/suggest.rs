//! "Did you mean" suggestions for names people type: registry keys, check codes and names,
//! services.

/// The known word closest to `typed`, if one is close enough to be what was meant.
pub fn did_you_mean<'a>(typed: &str, known: &[&'a str]) -> Option<&'a str> {
    let typed_normalized = typed.replace('_', "-").to_lowercase();
    known
        .iter()
        .map(|candidate| {
            (
                strsim::jaro_winkler(&typed_normalized, candidate),
                *candidate,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}
