//! The privacy model of PRODUCT.md §6 in code: how she is known (a pseudonym) and how what must be
//! kept about her is kept (sealed).
//!
//! Everything derives from one 32-byte [`Secret`] (`HELPLINE_SECRET`, or a file generated beside
//! the SQLite database). From it come two unrelated subkeys:
//!
//! - the **pseudonym key**: `HMAC-SHA256(key, telegram user id)` is the only name the database
//!   ever knows her by. Without the secret it cannot be reversed or even recomputed for a guess.
//! - the **sealing key**: XChaCha20-Poly1305 for the few values that must be readable again (her
//!   chat id, her session). Every sealed value is bound to its [`Purpose`] and to her
//!   [`Pseudonym`], so a row copied onto another woman, or a session pasted where a chat id
//!   belongs, fails to open instead of silently misrouting a message.
//!
//! Losing the secret makes every stored session and route unreadable (she simply starts over);
//! leaking it together with the database reveals chat ids. Rotate by deleting both.

use std::fmt;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac as _};
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, ExposeSecretMut as _, SecretBox};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a secret could not be read or created. Never contains any part of the secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "HELPLINE_SECRET must be exactly 64 hex characters (32 bytes), got {length} characters; \
         generate one with `openssl rand -hex 32`"
    )]
    Malformed { length: usize },
    #[error(
        "the secret file {path} is not 64 hex characters; restore it from backup, or delete it \
         together with the database to start over (HELPLINE_SECRET)"
    )]
    MalformedFile { path: PathBuf },
    #[error(
        "the secret file {path} can be read by others (mode {mode:o}); run `chmod 600 {path}` \
         (HELPLINE_SECRET)"
    )]
    TooOpen { path: PathBuf, mode: u32 },
    #[error("could not {action} the secret file {path} (HELPLINE_SECRET)")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the operating system could not provide randomness for a new HELPLINE_SECRET")]
    Randomness,
}

/// The 32-byte root secret. Only [`Keys::derive`] looks inside; `Debug` is redacted.
pub struct Secret(SecretBox<[u8; 32]>);

impl Secret {
    /// Parses `HELPLINE_SECRET`: exactly 64 hex characters, nothing else (no whitespace, no prefix).
    pub fn from_hex(text: &str) -> Result<Secret, SecretError> {
        let malformed = || SecretError::Malformed {
            length: text.chars().count(),
        };
        if text.len() != 64 {
            return Err(malformed());
        }
        let mut bytes = SecretBox::new(Box::new([0u8; 32]));
        hex::decode_to_slice(text, bytes.expose_secret_mut()).map_err(|_| malformed())?;
        Ok(Secret(bytes))
    }

    /// A fresh secret from the operating system's random source.
    pub fn generate() -> Result<Secret, SecretError> {
        use rand::TryRngCore as _;
        let mut bytes = SecretBox::new(Box::new([0u8; 32]));
        rand::rngs::OsRng
            .try_fill_bytes(bytes.expose_secret_mut())
            .map_err(|_| SecretError::Randomness)?;
        Ok(Secret(bytes))
    }

    /// Where the secret for the SQLite database at `database` lives: `<database>.secret`.
    pub fn path_beside(database: &Path) -> PathBuf {
        let mut name = database.as_os_str().to_owned();
        name.push(".secret");
        PathBuf::from(name)
    }

    /// Reads the secret kept beside the SQLite database, creating it (mode 0600) on first start.
    ///
    /// A file that group or others can read is refused rather than silently fixed: someone
    /// widened it, and the operator should know the data may have been exposed. Creation is
    /// atomic, so two processes starting together end up with the same secret.
    pub fn load_or_create_beside(database: &Path) -> Result<Secret, SecretError> {
        let path = Secret::path_beside(database);
        match Secret::read_file(&path) {
            Err(SecretError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Secret::create_file(&path)?;
                Secret::read_file(&path)
            }
            other => other,
        }
    }

    fn read_file(path: &Path) -> Result<Secret, SecretError> {
        let io = |action| {
            let path = path.to_owned();
            move |source| SecretError::Io {
                action,
                path,
                source,
            }
        };
        let mut file = std::fs::File::open(path).map_err(io("open"))?;
        check_private(path, &file)?;
        // Read at most a little more than a secret plus newline: a huge file is malformed anyway.
        let mut text = SecretBox::new(Box::new(String::new()));
        (&mut file)
            .take(128)
            .read_to_string(text.expose_secret_mut())
            .map_err(io("read"))?;
        let trimmed = text.expose_secret().trim_end_matches(['\n', '\r']);
        Secret::from_hex(trimmed).map_err(|_| SecretError::MalformedFile {
            path: path.to_owned(),
        })
    }

    /// Writes a new secret to a private temporary file, then links it into place; linking fails
    /// if another process got there first, and then its secret wins.
    fn create_file(path: &Path) -> Result<(), SecretError> {
        let io = |action| {
            let path = path.to_owned();
            move |source| SecretError::Io {
                action,
                path,
                source,
            }
        };
        let secret = Secret::generate()?;
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(format!(".{:016x}.tmp", rand::random::<u64>()));
        let temporary = PathBuf::from(temporary);
        let written = (|| {
            let mut file = private_create(&temporary)?;
            let mut text = SecretBox::new(Box::new(hex::encode(secret.0.expose_secret())));
            text.expose_secret_mut().push('\n');
            file.write_all(text.expose_secret().as_bytes())?;
            file.sync_all()?;
            match std::fs::hard_link(&temporary, path) {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                other => other,
            }
        })();
        let _ = std::fs::remove_file(&temporary);
        written.map_err(io("create"))?;
        if let Some(directory) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            // Make the new name durable; failure here only risks the file after a power cut.
            if let Ok(directory) = std::fs::File::open(directory) {
                let _ = directory.sync_all();
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

#[cfg(unix)]
fn private_create(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_create(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn check_private(path: &Path, file: &std::fs::File) -> Result<(), SecretError> {
    use std::os::unix::fs::PermissionsExt as _;
    let metadata = file.metadata().map_err(|source| SecretError::Io {
        action: "inspect",
        path: path.to_owned(),
        source,
    })?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SecretError::TooOpen {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _file: &std::fs::File) -> Result<(), SecretError> {
    Ok(())
}

/// How she is known to the database: `HMAC-SHA256(pseudonym key, telegram user id)`.
///
/// Stable for a given secret, so her session and route can be found again; useless without the
/// secret. Still an identifier: keep it out of logs and metrics like any other id.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pseudonym([u8; 32]);

impl Pseudonym {
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Rebuilds a pseudonym read back from storage.
    pub fn from_bytes(bytes: [u8; 32]) -> Pseudonym {
        Pseudonym(bytes)
    }
}

impl fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Pseudonym {
    /// Only a prefix, enough to tell two apart in a failing test.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pseudonym({}…)", hex::encode(&self.0[..4]))
    }
}

/// What a sealed value is for. It is bound into the ciphertext, so a value sealed for one purpose
/// never opens as another. Add a variant (with a new label) for every new kind of sealed value;
/// never reuse or change a label, or existing rows stop opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Her conversation session (opaque bytes from the conversation core).
    Session,
    /// The Telegram chat id that reaches her (the routing table).
    Route,
    /// The constant the store seals once to detect a changed secret at start.
    KeyCheck,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::Session => b"helpline/session",
            Purpose::Route => b"helpline/route",
            Purpose::KeyCheck => b"helpline/key-check",
        }
    }
}

/// A sealed value could not be opened: wrong secret, tampered bytes, or a row moved from another
/// woman or purpose. Deliberately carries no detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("sealed data could not be opened (wrong HELPLINE_SECRET, tampered, or moved)")]
pub struct OpenError;

/// Subkeys derived from the [`Secret`]. `Debug` is redacted.
pub struct Keys {
    pseudonym: SecretBox<[u8; 32]>,
    seal: SecretBox<[u8; 32]>,
}

/// The first byte of every sealed value: the format (XChaCha20-Poly1305, 24-byte nonce, AD
/// below). A future format gets a new byte and `open` keeps reading the old one.
const SEAL_V1: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

impl Keys {
    pub fn derive(secret: &Secret) -> Keys {
        let subkey = |label: &[u8]| {
            SecretBox::init_with_mut(|out: &mut [u8; 32]| {
                let mut mac =
                    <HmacSha256 as hmac::KeyInit>::new_from_slice(secret.0.expose_secret())
                        .expect("HMAC accepts keys of any length");
                mac.update(label);
                out.copy_from_slice(&mac.finalize().into_bytes());
            })
        };
        Keys {
            pseudonym: subkey(b"helpline/v1/pseudonym-key"),
            seal: subkey(b"helpline/v1/seal-key"),
        }
    }

    /// The webhook's `secret_token`: derived from the secret so every instance agrees on it
    /// without another setting. 64 hex characters, within Telegram's 1-256 of `A-Za-z0-9_-`.
    pub fn webhook_token(&self) -> String {
        let mut mac = <HmacSha256 as hmac::KeyInit>::new_from_slice(self.pseudonym.expose_secret())
            .expect("HMAC accepts keys of any length");
        mac.update(b"helpline/v1/webhook-secret-token");
        hex::encode(mac.finalize().into_bytes())
    }

    /// Her pseudonym. The same user id always gives the same pseudonym under the same secret.
    pub fn pseudonym(&self, telegram_user_id: i64) -> Pseudonym {
        let mut mac = <HmacSha256 as hmac::KeyInit>::new_from_slice(self.pseudonym.expose_secret())
            .expect("HMAC accepts keys of any length");
        mac.update(b"telegram-user:");
        mac.update(&telegram_user_id.to_be_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(&mac.finalize().into_bytes());
        Pseudonym(out)
    }

    /// Encrypts `plaintext` for `purpose`, bound to `who`. Output: version byte, random 24-byte
    /// nonce, ciphertext with its 16-byte tag (41 bytes of overhead).
    pub fn seal(&self, purpose: Purpose, who: &Pseudonym, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let aad = associated_data(SEAL_V1, purpose, who);
        let ciphertext = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .expect("XChaCha20-Poly1305 encrypts any message that fits in memory");
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        sealed.push(SEAL_V1);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// Decrypts what [`Keys::seal`] produced for the same `purpose` and `who`.
    pub fn open(
        &self,
        purpose: Purpose,
        who: &Pseudonym,
        sealed: &[u8],
    ) -> Result<Vec<u8>, OpenError> {
        let (&version, rest) = sealed.split_first().ok_or(OpenError)?;
        if version != SEAL_V1 || rest.len() < NONCE_LEN + TAG_LEN {
            return Err(OpenError);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let aad = associated_data(version, purpose, who);
        self.cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| OpenError)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.seal.expose_secret().into())
    }
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keys([REDACTED])")
    }
}

/// `version | purpose label | 0 | pseudonym`: the label never contains 0, so this is unambiguous.
fn associated_data(version: u8, purpose: Purpose, who: &Pseudonym) -> Vec<u8> {
    let label = purpose.label();
    let mut aad = Vec::with_capacity(2 + label.len() + 32);
    aad.push(version);
    aad.extend_from_slice(label);
    aad.push(0);
    aad.extend_from_slice(who.as_bytes());
    aad
}
