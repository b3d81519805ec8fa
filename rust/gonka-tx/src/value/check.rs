//! The checks of a message's values: what every value of a kind must be (a valid coin, a timestamp in range,
//! a declared enum value) and the checks its schema names (`gonka.check` options). Each check is written once;
//! this module only dispatches to them. Errors name the offending value's place, built only for an error.

use std::cell::RefCell;

use crate::any::RawAny;
use crate::coin;
use crate::msg::{authz, bank, crypto, gov, inference};
use crate::schema::{Check, Field, Kind, MessageCheck, MessageSchema, Scalar, MAX_NESTING};
use crate::validate;
use crate::value::{invalid_at, AnyValue, Message, Path, Value};
use gonka_core::Result;

/// Checks a message; `name` starts the path in errors (usually the message's own name).
pub fn message(message: &Message, name: &str) -> Result<()> {
    let _session = Session::start();
    check_message(message, &Path::root(name), 0)
}

/// Checks what an Any holds.
pub fn any(any: &AnyValue, name: &str) -> Result<()> {
    let _session = Session::start();
    check_any(any, &Path::root(name), 0)
}

/// Checks what the Any at `list[index]` holds (errors name it so).
pub fn any_in(any: &AnyValue, list: &str, index: usize) -> Result<()> {
    let _session = Session::start();
    let root = Path::root(list);
    check_any(any, &root.index(index), 0)
}

/// How many valid addresses one session remembers.
const REMEMBERED: usize = 32;

thread_local! {
    /// The addresses (with their prefix) found valid in the session running on this thread, if any.
    static VALID: RefCell<Option<Vec<(&'static str, String)>>> = const { RefCell::new(None) };
}

/// While held, an address already found valid is not checked again: a transaction names the same accounts
/// in many messages (its signer in every one). Sessions nest; the outermost one forgets on drop, so
/// nothing is remembered from one check to the next.
pub struct Session {
    outermost: bool,
}

impl Session {
    pub fn start() -> Self {
        VALID.with(|valid| {
            let mut valid = valid.borrow_mut();
            let outermost = valid.is_none();
            if outermost {
                *valid = Some(Vec::new());
            }
            Session { outermost }
        })
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.outermost {
            VALID.with(|valid| *valid.borrow_mut() = None);
        }
    }
}

fn check_message(message: &Message, path: &Path<'_>, depth: usize) -> Result<()> {
    if depth > MAX_NESTING {
        return Err(invalid_at(
            path,
            format!("messages nest deeper than {MAX_NESTING} levels"),
        ));
    }
    let schema = message.schema();
    for (field, value) in schema.fields().iter().zip(message.fields()) {
        let at = path.field(&field.name);
        match value {
            Value::List(items) if field.repeated => {
                for check in field.checks.iter().filter(|c| on_list(**c, field)) {
                    list_check(*check, field, items, &at)?;
                }
                for (i, item) in items.iter().enumerate() {
                    element(field, item, &at.index(i), depth)?;
                }
            }
            value => {
                for check in field.checks.iter().filter(|c| on_list(**c, field)) {
                    list_check(*check, field, std::slice::from_ref(value), &at)?;
                }
                element(field, value, &at, depth)?;
            }
        }
    }
    for check in &schema.checks {
        message_check(*check, schema, message, path)?;
    }
    Ok(())
}

fn check_any(any: &AnyValue, path: &Path<'_>, depth: usize) -> Result<()> {
    match any {
        AnyValue::Typed(message) => check_message(message, path, depth + 1),
        AnyValue::Raw(raw) => raw_any(raw, path),
    }
}

fn raw_any(raw: &RawAny, path: &Path<'_>) -> Result<()> {
    // The path is only written out for an error (as in every check here).
    if raw.type_url.len() >= 2 && raw.type_url.starts_with('/') {
        return Ok(());
    }
    raw.validate(&path.to_string())
}

/// What every value of the field's kind must be, then the field's own checks of each value.
fn element(field: &Field, value: &Value, path: &Path<'_>, depth: usize) -> Result<()> {
    match (field.kind, value) {
        (_, Value::Null) if !field.required => return Ok(()),
        (_, Value::Null) => return Err(invalid_at(path, "is required")),
        (Kind::Coin, Value::Coin(c)) if !c.is_valid() => c.validate(&path.to_string())?,
        (Kind::Timestamp, Value::Timestamp(ts)) if !ts.is_valid() => {
            ts.validate(&path.to_string())?
        }
        (Kind::Coin, Value::Coin(_)) | (Kind::Timestamp, Value::Timestamp(_)) => {}
        (Kind::Enum(e), Value::Enum(n)) => {
            let declared = e.value(*n).is_some_and(|v| !v.unspecified);
            if !declared && (*n != 0 || field.required) {
                return Err(e.unknown(n));
            }
        }
        (Kind::Message(_), Value::Message(m)) => check_message(m, path, depth + 1)?,
        (Kind::Any, Value::Any(any)) => check_any(any, path, depth)?,
        (Kind::Scalar(s), v) => scalar_range(s, v, path)?,
        (kind, value) => {
            return Err(invalid_at(
                path,
                format!("{} does not fit a {kind:?} field", value.kind_name()),
            ))
        }
    }
    for check in field.checks.iter().filter(|c| !on_list(**c, field)) {
        value_check(*check, value, path)?;
    }
    Ok(())
}

/// Whether a check looks at the whole list (or the one coin) rather than at each value.
fn on_list(check: Check, field: &Field) -> bool {
    match check {
        Check::NotEmpty => field.repeated,
        check => check.on_list(),
    }
}

/// 32-bit integers hold 32-bit values; the other scalars hold what their kind holds.
fn scalar_range(scalar: Scalar, value: &Value, path: &Path<'_>) -> Result<()> {
    let fits = match (scalar, value) {
        (Scalar::Int32 | Scalar::Sint32 | Scalar::Sfixed32, Value::I64(v)) => {
            i32::try_from(*v).is_ok()
        }
        (Scalar::Uint32 | Scalar::Fixed32, Value::U64(v)) => u32::try_from(*v).is_ok(),
        (s, Value::I64(_)) => s.is_signed_int(),
        (s, Value::U64(_)) => s.is_unsigned_int(),
        (s, Value::F64(_)) => s.is_float(),
        (Scalar::Bool, Value::Bool(_))
        | (Scalar::String, Value::String(_))
        | (Scalar::Bytes, Value::Bytes(_)) => true,
        _ => false,
    };
    if fits {
        Ok(())
    } else {
        Err(invalid_at(
            path,
            format!(
                "{} does not fit a {} field",
                value.kind_name(),
                scalar.proto_name()
            ),
        ))
    }
}

fn value_check(check: Check, value: &Value, path: &Path<'_>) -> Result<()> {
    let text = || match value {
        Value::String(s) => s.as_str(),
        _ => "",
    };
    let bytes = || match value {
        Value::Bytes(b) => b.as_slice(),
        _ => &[],
    };
    match check {
        Check::AccountAddress => address(path, text(), validate::ACCOUNT_HRP),
        Check::ValidatorAddress => address(path, text(), validate::VALOPER_HRP),
        Check::OptionalAccountAddress if text().is_empty() => Ok(()),
        Check::OptionalAccountAddress => address(path, text(), validate::ACCOUNT_HRP),
        Check::CosmosInt if coin::int_is_valid(text()) => Ok(()),
        Check::CosmosInt => coin::check_int(&path.to_string(), text()),
        Check::LegacyDec if crate::dec::is_valid(text()) => Ok(()),
        Check::LegacyDec => crate::dec::to_wire(&path.to_string(), text()).map(|_| ()),
        Check::Finite => match value {
            Value::F64(v) if !v.is_finite() => Err(invalid_at(path, "must be a finite number")),
            _ => Ok(()),
        },
        Check::NotEmpty => match value {
            Value::String(s) if s.is_empty() => Err(invalid_at(path, "must not be empty")),
            Value::Bytes(b) if b.is_empty() => Err(invalid_at(path, "must not be empty")),
            _ => Ok(()),
        },
        Check::TypeUrl => authz::type_url(path, text()),
        Check::HttpUrl => inference::http_url(path, text()),
        Check::Ed25519KeyBase64 => inference::ed25519_key_base64(path, text()),
        Check::SignatureHex => inference::signature_hex(path, text()),
        Check::Ed25519Key => crypto::ed25519_key(path, bytes()),
        Check::Secp256k1Key => crypto::secp256k1_key(path, bytes()),
        Check::OptionalHash32 if bytes().is_empty() => Ok(()),
        Check::Hash32 | Check::OptionalHash32 => inference::hash_32(path, bytes()),
        Check::Positive => match value {
            Value::I64(v) if *v <= 0 => Err(invalid_at(path, "must be positive")),
            Value::U64(0) => Err(invalid_at(path, "must be positive")),
            _ => Ok(()),
        },
        Check::PositiveCoins | Check::OptionalPositiveCoins | Check::VoteWeights => Ok(()),
    }
}

fn list_check(check: Check, field: &Field, items: &[Value], path: &Path<'_>) -> Result<()> {
    match check {
        Check::PositiveCoins | Check::OptionalPositiveCoins => {
            if items.is_empty() && check == Check::OptionalPositiveCoins {
                return Ok(());
            }
            let coins: Vec<&coin::Coin> = items
                .iter()
                .filter_map(|v| match v {
                    Value::Coin(c) => Some(c),
                    _ => None,
                })
                .collect();
            bank::positive_coins(path, &coins, field.repeated)
        }
        Check::NotEmpty if field.repeated && items.is_empty() => {
            let what = match field.kind {
                Kind::Any | Kind::Message(_) => "message",
                Kind::Coin => "coin",
                _ => "value",
            };
            Err(invalid_at(path, format!("needs at least one {what}")))
        }
        Check::VoteWeights => gov::vote_weights(path, items),
        _ => Ok(()),
    }
}

fn message_check(
    check: MessageCheck,
    schema: &'static MessageSchema,
    message: &Message,
    path: &Path<'_>,
) -> Result<()> {
    match check {
        MessageCheck::NoncesMatchDistances => {
            inference::nonces_match_distances(schema, message, path)
        }
        MessageCheck::CommitmentGiven => inference::commitment_given(schema, message, path),
    }
}

fn address(path: &Path<'_>, value: &str, hrp: &'static str) -> Result<()> {
    let known = |valid: &Option<Vec<(&'static str, String)>>| {
        valid
            .as_ref()
            .is_some_and(|v| v.iter().any(|(h, a)| *h == hrp && a == value))
    };
    if VALID.with(|valid| known(&valid.borrow())) {
        return Ok(());
    }
    // The path is only written out for an error.
    if !gonka_core::address::is_valid_with_hrp(value, hrp) {
        return validate::address(&path.to_string(), value, hrp);
    }
    VALID.with(|valid| {
        if let Some(valid) = valid.borrow_mut().as_mut() {
            if valid.len() < REMEMBERED {
                valid.push((hrp, value.to_string()));
            }
        }
    });
    Ok(())
}
