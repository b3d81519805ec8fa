//! BIP 39 English mnemonics: generation from OS randomness, validation that names what is wrong,
//! and mnemonic + passphrase -> 64-byte seed.

use std::fmt;

use bip39::Language;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Word counts BIP 39 allows.
pub const WORD_COUNTS: [usize; 5] = [12, 15, 18, 21, 24];

/// A valid English BIP 39 mnemonic. The words are wiped from memory on drop and `Debug` shows
/// only the word count.
#[derive(Clone, PartialEq, Eq)]
pub struct Mnemonic {
    // `bip39::Mnemonic` zeroizes itself on drop (crate feature `zeroize`).
    inner: bip39::Mnemonic,
}

impl Mnemonic {
    /// A new mnemonic of `words` words (12, 15, 18, 21 or 24) from the OS random number generator.
    pub fn generate(words: usize) -> Result<Self> {
        if !WORD_COUNTS.contains(&words) {
            return Err(Error::InvalidMnemonic(format!(
                "a mnemonic has 12, 15, 18, 21 or 24 words, not {words}"
            )));
        }
        let mut entropy = Zeroizing::new([0u8; 32]);
        let len = words / 3 * 4;
        crate::random::fill(&mut entropy[..len])?;
        Self::from_entropy(&entropy[..len])
    }

    /// The mnemonic that encodes `entropy` (16, 20, 24, 28 or 32 bytes).
    pub fn from_entropy(entropy: &[u8]) -> Result<Self> {
        bip39::Mnemonic::from_entropy_in(Language::English, entropy)
            .map(|inner| Self { inner })
            .map_err(|_| {
                Error::InvalidMnemonic(format!(
                    "mnemonic entropy is 16, 20, 24, 28 or 32 bytes, not {}",
                    entropy.len()
                ))
            })
    }

    /// Parses and validates a phrase. Case and runs of whitespace are forgiven; the error names the
    /// first unknown word (with its position), a wrong word count, or a failed checksum.
    pub fn parse(phrase: &str) -> Result<Self> {
        // Built in one wiped buffer: no copy of a secret word outlives this call.
        let mut normalized = Zeroizing::new(String::with_capacity(phrase.len()));
        for word in phrase.split_whitespace() {
            if !normalized.is_empty() {
                normalized.push(' ');
            }
            normalized.extend(word.chars().flat_map(char::to_lowercase));
        }
        let words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
        if !WORD_COUNTS.contains(&words.len()) {
            return Err(Error::InvalidMnemonic(format!(
                "a mnemonic has 12, 15, 18, 21 or 24 words, got {}",
                words.len()
            )));
        }
        let list = Language::English.word_list();
        if let Some((position, word)) = words
            .iter()
            .enumerate()
            .find(|(_, word)| list.binary_search(word).is_err())
        {
            return Err(Error::InvalidMnemonic(unknown_word_message(position, word)));
        }
        match bip39::Mnemonic::parse_in_normalized(Language::English, &normalized) {
            Ok(inner) => Ok(Self { inner }),
            Err(bip39::Error::InvalidChecksum) => Err(Error::InvalidMnemonic(
                "mnemonic checksum is wrong: every word is valid, but one is mistyped or the order is wrong"
                    .into(),
            )),
            Err(other) => Err(Error::InvalidMnemonic(format!("invalid mnemonic: {other}"))),
        }
    }

    pub fn word_count(&self) -> usize {
        self.inner.word_count()
    }

    /// The phrase, words separated by single spaces (secret: wiped when the buffer drops).
    pub fn phrase(&self) -> Zeroizing<String> {
        Zeroizing::new(self.inner.to_string())
    }

    /// The entropy the words encode.
    pub fn entropy(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.inner.to_entropy())
    }

    /// The 64-byte BIP 39 seed: PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic" + passphrase
    /// (NFKD-normalized).
    pub fn to_seed(&self, passphrase: &str) -> Zeroizing<[u8; 64]> {
        Zeroizing::new(self.inner.to_seed(passphrase))
    }
}

impl fmt::Debug for Mnemonic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mnemonic(<{} words>)", self.word_count())
    }
}

fn unknown_word_message(position: usize, word: &str) -> String {
    // English BIP 39 words are unique in their first four letters, so a shared prefix is a hint.
    let list = Language::English.word_list();
    let prefix: String = word.chars().take(4).collect();
    let hint = if prefix.chars().count() == 4 {
        list.iter().find(|candidate| candidate.starts_with(&prefix))
    } else {
        None
    };
    match hint {
        Some(candidate) => format!(
            "word {} {word:?} is not in the BIP 39 English word list (did you mean {candidate:?}?)",
            position + 1
        ),
        None => format!(
            "word {} {word:?} is not in the BIP 39 English word list",
            position + 1
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABOUT: &str = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    #[test]
    fn generates_each_length_and_round_trips() {
        for words in WORD_COUNTS {
            let mnemonic = Mnemonic::generate(words).unwrap();
            assert_eq!(mnemonic.word_count(), words);
            assert_eq!(Mnemonic::parse(&mnemonic.phrase()).unwrap(), mnemonic);
        }
        assert!(Mnemonic::generate(13).is_err());
        assert_ne!(
            Mnemonic::generate(24).unwrap(),
            Mnemonic::generate(24).unwrap()
        );
    }

    #[test]
    fn errors_name_the_problem() {
        let err = Mnemonic::parse(&ABOUT.replace("about", "abuot"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("word 12 \"abuot\""), "{err}");
        let err = Mnemonic::parse(&ABOUT.replacen("abandon", "abandonn", 1))
            .unwrap_err()
            .to_string();
        assert!(err.contains("did you mean \"abandon\""), "{err}");
        let err = Mnemonic::parse(&ABOUT.replace("about", "abandon"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("checksum"), "{err}");
        let err = Mnemonic::parse("abandon about").unwrap_err().to_string();
        assert!(err.contains("got 2"), "{err}");
    }

    #[test]
    fn case_and_spacing_are_forgiven() {
        let messy = format!("  {}\n", ABOUT.to_uppercase().replace(' ', "\t "));
        assert_eq!(
            Mnemonic::parse(&messy).unwrap(),
            Mnemonic::parse(ABOUT).unwrap()
        );
    }

    #[test]
    fn debug_hides_the_words() {
        let shown = format!("{:?}", Mnemonic::parse(ABOUT).unwrap());
        assert_eq!(shown, "Mnemonic(<12 words>)");
    }
}
