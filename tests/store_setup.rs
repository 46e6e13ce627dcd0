//! Secrets, keys, pseudonyms and DATABASE_URL: what happens before a store is open.

use std::os::unix::fs::PermissionsExt as _;

use helpline::privacy::{Keys, Purpose, Secret, SecretError};
use helpline::store::{StoreError, connect};

use crate::support::{databases::hex_secret, noon};

fn keys_from(byte: u8) -> Keys {
    Keys::derive(&Secret::from_hex(&hex_secret(byte)).expect("valid"))
}

#[test]
fn secret_must_be_exactly_64_hex_characters() {
    let good = hex_secret(0x42);
    let bad = [
        String::new(),
        "abc".to_owned(),
        good[..63].to_owned(),
        format!("{good}0"),
        format!("{good}\n"),
        format!(" {}", &good[..63]),
        format!("0x{}", &good[..62]),
        format!("{}g", &good[..63]),
        "é".repeat(32),
    ];
    for text in bad {
        let error = Secret::from_hex(&text).expect_err("malformed");
        let message = error.to_string();
        assert!(message.contains("HELPLINE_SECRET"), "{message}");
        assert!(message.contains("64 hex"), "{message}");
        if text.len() >= 16 {
            assert!(
                !message.contains(&text[..16]),
                "the secret leaked into: {message}"
            );
        }
    }
    Secret::from_hex(&good).expect("64 hex characters");
    Secret::from_hex(&good.to_uppercase()).expect("upper case hex");
}

#[test]
fn secrets_and_keys_never_show_themselves() {
    let text = hex_secret(0x42);
    let secret = Secret::from_hex(&text).expect("valid");
    let shown = format!("{secret:?} {:?}", Keys::derive(&secret));
    assert!(!shown.contains("4242"), "{shown}");
    assert!(shown.contains("REDACTED"), "{shown}");
}

#[test]
fn pseudonyms_are_stable_distinct_and_opaque() {
    let (keys, other_keys) = (keys_from(1), keys_from(2));
    let user_id = 7_350_561_829_i64;
    let pseudonym = keys.pseudonym(user_id);
    assert_eq!(pseudonym, keys.pseudonym(user_id));
    assert_ne!(pseudonym, keys.pseudonym(user_id + 1));
    assert_ne!(
        pseudonym,
        other_keys.pseudonym(user_id),
        "depends on the secret"
    );
    let shown = pseudonym.to_string();
    assert_eq!(shown.len(), 64);
    assert!(shown.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(!shown.contains(&user_id.to_string()));
    assert!(
        !format!("{pseudonym:?}").contains(&shown),
        "Debug shows only a prefix"
    );
}

#[test]
fn sealed_values_open_only_for_their_purpose_woman_and_secret() {
    let keys = keys_from(1);
    let (olena, dana) = (keys.pseudonym(1), keys.pseudonym(2));
    let sealed = keys.seal(Purpose::Route, &olena, b"chat");
    assert_eq!(
        keys.open(Purpose::Route, &olena, &sealed).expect("opens"),
        b"chat"
    );
    assert!(
        keys.open(Purpose::Route, &dana, &sealed).is_err(),
        "another woman"
    );
    assert!(
        keys.open(Purpose::Session, &olena, &sealed).is_err(),
        "another purpose"
    );
    assert!(
        keys_from(2).open(Purpose::Route, &olena, &sealed).is_err(),
        "another secret"
    );
    for position in 0..sealed.len() {
        let mut tampered = sealed.clone();
        tampered[position] ^= 0x80;
        assert!(
            keys.open(Purpose::Route, &olena, &tampered).is_err(),
            "byte {position}"
        );
    }
    for length in 0..sealed.len() {
        assert!(
            keys.open(Purpose::Route, &olena, &sealed[..length])
                .is_err(),
            "length {length}"
        );
    }
}

#[test]
fn secret_file_is_created_private_once_and_then_reused() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let database = directory.path().join("helpline.db");
    let first = Secret::load_or_create_beside(&database).expect("created");
    let path = directory.path().join("helpline.db.secret");
    assert_eq!(Secret::path_beside(&database), path);
    let mode = std::fs::metadata(&path)
        .expect("the file exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&path).expect("readable");
    assert_eq!(text.len(), 65);
    assert!(text.ends_with('\n') && text[..64].chars().all(|c| c.is_ascii_hexdigit()));

    let second = Secret::load_or_create_beside(&database).expect("reused");
    assert_eq!(
        std::fs::read_to_string(&path).expect("readable"),
        text,
        "not rewritten"
    );
    assert_eq!(
        Keys::derive(&first).pseudonym(5),
        Keys::derive(&second).pseudonym(5)
    );
    assert_eq!(
        Keys::derive(&Secret::from_hex(&text[..64]).expect("hex")).pseudonym(5),
        Keys::derive(&second).pseudonym(5)
    );
}

#[test]
fn secret_file_readable_by_others_is_refused() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let database = directory.path().join("helpline.db");
    Secret::load_or_create_beside(&database).expect("created");
    let path = Secret::path_beside(&database);
    let text = std::fs::read_to_string(&path).expect("readable");
    for mode in [0o640, 0o604, 0o644] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        let error = Secret::load_or_create_beside(&database).expect_err("too open");
        assert!(matches!(error, SecretError::TooOpen { .. }), "{error:?}");
        let message = error.to_string();
        assert!(
            message.contains("chmod 600") && message.contains("helpline.db.secret"),
            "{message}"
        );
        assert!(!message.contains(&text[..16]), "{message}");
    }
}

#[test]
fn malformed_secret_file_is_refused() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let database = directory.path().join("helpline.db");
    let path = Secret::path_beside(&database);
    std::fs::write(&path, "not a secret\n").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let error = Secret::load_or_create_beside(&database).expect_err("malformed");
    assert!(
        matches!(error, SecretError::MalformedFile { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("HELPLINE_SECRET"));
}

#[tokio::test]
async fn bad_database_url_gets_one_clear_line_without_the_password() {
    for url in [
        "",
        "mysql://helpline:hunter2@db/helpline",
        "sqlite://",
        "sqlite://helpline.db?mode=ro",
        "postgres://helpline:hunter2@[::1/helpline",
        "helpline.db",
    ] {
        let secret = Secret::from_hex(&hex_secret(1)).expect("valid");
        let error = connect(url, Some(secret)).await.err().expect("refused");
        let message = error.to_string();
        assert!(
            matches!(error, StoreError::BadUrl { .. }),
            "{url}: {error:?}"
        );
        assert!(
            message.contains("DATABASE_URL") && !message.contains('\n'),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
    }
}

#[tokio::test]
async fn postgres_requires_helpline_secret() {
    // Refused before any connection is attempted: nothing listens on port 1.
    let error = connect("postgres://postgres@127.0.0.1:1/helpline", None)
        .await
        .err()
        .expect("refused");
    assert!(matches!(error, StoreError::SecretRequired), "{error:?}");
    assert!(error.to_string().contains("HELPLINE_SECRET"));
}

#[tokio::test]
async fn in_memory_sqlite_works_without_a_secret_file() {
    let (store, keys) = connect("sqlite::memory:", None).await.expect("in memory");
    let who = keys.pseudonym(7);
    store.save_session(&who, b"v1", noon()).await.expect("save");
    assert_eq!(
        store.load_session(&who).await.expect("load"),
        Some(b"v1".to_vec())
    );
    assert!(store.first_delivery(1, noon()).await.expect("delivery"));
    assert!(!store.first_delivery(1, noon()).await.expect("delivery"));
}
