//! The kinds of fields and the checks the `gonka` options name (`proto/gonka/options.proto`), as the model
//! reads them. Like the model, it uses only prost-reflect and std: the build script includes it.

use prost_reflect::{DescriptorPool, Kind, MessageDescriptor};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scalar {
    Double,
    Float,
    Int32,
    Int64,
    Uint32,
    Uint64,
    Sint32,
    Sint64,
    Fixed32,
    Fixed64,
    Sfixed32,
    Sfixed64,
    Bool,
    String,
    Bytes,
}

impl Scalar {
    pub fn is_signed_int(self) -> bool {
        matches!(
            self,
            Scalar::Int32
                | Scalar::Int64
                | Scalar::Sint32
                | Scalar::Sint64
                | Scalar::Sfixed32
                | Scalar::Sfixed64
        )
    }

    pub fn is_unsigned_int(self) -> bool {
        matches!(
            self,
            Scalar::Uint32 | Scalar::Uint64 | Scalar::Fixed32 | Scalar::Fixed64
        )
    }

    pub fn is_float(self) -> bool {
        matches!(self, Scalar::Double | Scalar::Float)
    }

    /// 64-bit integers are written as JSON strings (proto3 JSON).
    pub fn is_64_bit(self) -> bool {
        matches!(
            self,
            Scalar::Int64 | Scalar::Uint64 | Scalar::Sint64 | Scalar::Fixed64 | Scalar::Sfixed64
        )
    }

    /// Numbers are packed when repeated (proto3); strings and bytes are not.
    pub fn is_packable(self) -> bool {
        !matches!(self, Scalar::String | Scalar::Bytes)
    }

    /// The protobuf name, e.g. `uint64`.
    pub fn proto_name(self) -> &'static str {
        match self {
            Scalar::Double => "double",
            Scalar::Float => "float",
            Scalar::Int32 => "int32",
            Scalar::Int64 => "int64",
            Scalar::Uint32 => "uint32",
            Scalar::Uint64 => "uint64",
            Scalar::Sint32 => "sint32",
            Scalar::Sint64 => "sint64",
            Scalar::Fixed32 => "fixed32",
            Scalar::Fixed64 => "fixed64",
            Scalar::Sfixed32 => "sfixed32",
            Scalar::Sfixed64 => "sfixed64",
            Scalar::Bool => "bool",
            Scalar::String => "string",
            Scalar::Bytes => "bytes",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Scalar(Scalar),
    /// An enum, by full name.
    Enum(String),
    /// A nested message, by full name.
    Message(String),
    /// `google.protobuf.Any`: a message of another type, with its type URL.
    Any,
    /// `cosmos.base.v1beta1.Coin`.
    Coin,
    /// `google.protobuf.Timestamp`.
    Timestamp,
}

/// The checks of `gonka.Check` (see options.proto for what each means).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    AccountAddress,
    OptionalAccountAddress,
    ValidatorAddress,
    PositiveCoins,
    OptionalPositiveCoins,
    CosmosInt,
    LegacyDec,
    Finite,
    NotEmpty,
    TypeUrl,
    HttpUrl,
    Ed25519Key,
    Ed25519KeyBase64,
    Secp256k1Key,
    SignatureHex,
    VoteWeights,
    Hash32,
    OptionalHash32,
    Positive,
}

impl Check {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "ACCOUNT_ADDRESS" => Check::AccountAddress,
            "OPTIONAL_ACCOUNT_ADDRESS" => Check::OptionalAccountAddress,
            "VALIDATOR_ADDRESS" => Check::ValidatorAddress,
            "POSITIVE_COINS" => Check::PositiveCoins,
            "OPTIONAL_POSITIVE_COINS" => Check::OptionalPositiveCoins,
            "COSMOS_INT" => Check::CosmosInt,
            "LEGACY_DEC" => Check::LegacyDec,
            "FINITE" => Check::Finite,
            "NOT_EMPTY" => Check::NotEmpty,
            "TYPE_URL" => Check::TypeUrl,
            "HTTP_URL" => Check::HttpUrl,
            "ED25519_KEY" => Check::Ed25519Key,
            "ED25519_KEY_BASE64" => Check::Ed25519KeyBase64,
            "SECP256K1_KEY" => Check::Secp256k1Key,
            "SIGNATURE_HEX" => Check::SignatureHex,
            "VOTE_WEIGHTS" => Check::VoteWeights,
            "HASH_32" => Check::Hash32,
            "OPTIONAL_HASH_32" => Check::OptionalHash32,
            "POSITIVE" => Check::Positive,
            _ => return None,
        })
    }

    /// Checks of all the coins or options of a field at once (the others check each value, except
    /// NOT_EMPTY, which checks the list of a repeated field).
    pub fn on_list(self) -> bool {
        matches!(
            self,
            Check::PositiveCoins | Check::OptionalPositiveCoins | Check::VoteWeights
        )
    }

    /// Whether the check makes sense for a field of this kind.
    pub(crate) fn fits(self, kind: &FieldKind, repeated: bool, pool: &DescriptorPool) -> bool {
        let string = *kind == FieldKind::Scalar(Scalar::String);
        let bytes = *kind == FieldKind::Scalar(Scalar::Bytes);
        match self {
            Check::AccountAddress
            | Check::OptionalAccountAddress
            | Check::ValidatorAddress
            | Check::CosmosInt
            | Check::LegacyDec
            | Check::TypeUrl
            | Check::HttpUrl
            | Check::Ed25519KeyBase64
            | Check::SignatureHex => string,
            Check::PositiveCoins | Check::OptionalPositiveCoins => *kind == FieldKind::Coin,
            Check::Finite => matches!(kind, FieldKind::Scalar(s) if s.is_float()),
            Check::NotEmpty => repeated || string || bytes,
            Check::Ed25519Key | Check::Secp256k1Key | Check::Hash32 | Check::OptionalHash32 => {
                bytes
            }
            Check::Positive => {
                matches!(kind, FieldKind::Scalar(s) if s.is_signed_int() || s.is_unsigned_int())
            }
            Check::VoteWeights => {
                repeated
                    && matches!(kind, FieldKind::Message(name) if pool
                        .get_message_by_name(name)
                        .and_then(|m| m.get_field_by_name("weight"))
                        .is_some_and(|f| f.kind() == Kind::String && !f.is_list()))
            }
        }
    }
}

/// The checks of `gonka.MessageCheck`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageCheck {
    NoncesMatchDistances,
    CommitmentGiven,
}

impl MessageCheck {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        match name {
            "NONCES_MATCH_DISTANCES" => Some(MessageCheck::NoncesMatchDistances),
            "COMMITMENT_GIVEN" => Some(MessageCheck::CommitmentGiven),
            _ => None,
        }
    }

    pub(crate) fn fits(self, message: &MessageDescriptor) -> bool {
        let repeated = |name: &str, kind: Kind| {
            message
                .get_field_by_name(name)
                .is_some_and(|f| f.is_list() && f.kind() == kind)
        };
        match self {
            MessageCheck::NoncesMatchDistances => {
                repeated("nonces", Kind::Int64) && repeated("dist", Kind::Double)
            }
            MessageCheck::CommitmentGiven => {
                let single = |name: &str, kind: Kind| {
                    message
                        .get_field_by_name(name)
                        .is_some_and(|f| !f.is_list() && f.kind() == kind)
                };
                message
                    .get_field_by_name("entries")
                    .is_some_and(|f| f.is_list())
                    && single("count", Kind::Uint32)
                    && single("root_hash", Kind::Bytes)
            }
        }
    }
}
