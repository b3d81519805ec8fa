//! Decoding hostile bytes is bounded: Anys nest at most as deep and as often as the Cosmos SDK
//! unpacks them, and no input overflows the stack, panics or claims more memory than it carries.
//! The protobuf here is written by hand, independently of the crate's encoder.

use gonka_tx::{decode_tx, Msg, TxBody, MAX_ANY_DEPTH, MAX_ANY_UNPACKS};
use proptest::prelude::*;

const EXEC: &str = "/cosmos.authz.v1beta1.MsgExec";
const SEND: &str = "/cosmos.bank.v1beta1.MsgSend";
const FROM: &str = "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l";
const TO: &str = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le";

fn varint(mut value: u64, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// A length-delimited field (wire type 2).
fn field(number: u32, data: &[u8], out: &mut Vec<u8>) {
    varint(u64::from(number << 3 | 2), out);
    varint(data.len() as u64, out);
    out.extend_from_slice(data);
}

fn pack(type_url: &str, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    field(1, type_url.as_bytes(), &mut out);
    field(2, value, &mut out);
    out
}

fn send_value() -> Vec<u8> {
    let mut coin = Vec::new();
    field(1, b"ngonka", &mut coin);
    field(2, b"1000", &mut coin);
    let mut out = Vec::new();
    field(1, FROM.as_bytes(), &mut out);
    field(2, TO.as_bytes(), &mut out);
    field(3, &coin, &mut out);
    out
}

/// A MsgExec value holding the given encoded Anys.
fn exec_value(anys: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    field(1, TO.as_bytes(), &mut out);
    for a in anys {
        field(2, a, &mut out);
    }
    out
}

/// The value of the outermost of `levels` nested Anys: MsgExec in MsgExec ... around one MsgSend
/// (`levels` counts the MsgSend). Built from the inside out in linear time: every level only adds
/// a prefix, so the prefixes are computed with their lengths and concatenated once.
fn nested_exec_value(levels: usize) -> Vec<u8> {
    assert!(levels >= 2);
    let inner = pack(SEND, &send_value());
    let mut prefixes: Vec<Vec<u8>> = Vec::with_capacity(levels);
    let mut len = inner.len();
    for level in 0..levels - 1 {
        // MsgExec value = field 2 (msgs) holding the Any below.
        let mut value_prefix = Vec::new();
        varint(u64::from(2u32 << 3 | 2), &mut value_prefix);
        varint(len as u64, &mut value_prefix);
        let value_len = value_prefix.len() + len;
        if level == levels - 2 {
            prefixes.push(value_prefix);
            break;
        }
        // Any = field 1 (type URL) + field 2 (the MsgExec value).
        let mut any_prefix = Vec::new();
        field(1, EXEC.as_bytes(), &mut any_prefix);
        varint(u64::from(2u32 << 3 | 2), &mut any_prefix);
        varint(value_len as u64, &mut any_prefix);
        len = any_prefix.len() + value_len;
        any_prefix.extend_from_slice(&value_prefix);
        prefixes.push(any_prefix);
    }
    let mut out = Vec::with_capacity(len + 16);
    for prefix in prefixes.iter().rev() {
        out.extend_from_slice(prefix);
    }
    out.extend_from_slice(&inner);
    out
}

fn nested_exec_json(levels: usize) -> serde_json::Value {
    let mut msg = serde_json::json!({
        "@type": SEND,
        "from_address": FROM,
        "to_address": TO,
        "amount": [{"denom": "ngonka", "amount": "1000"}],
    });
    for _ in 1..levels {
        msg = serde_json::json!({"@type": EXEC, "grantee": "", "msgs": [msg]});
    }
    msg
}

fn depth_of(msg: &Msg) -> usize {
    match msg {
        Msg::Exec(exec) => 1 + exec.msgs.iter().map(depth_of).max().unwrap_or(0),
        _ => 1,
    }
}

#[test]
fn the_sdk_depth_of_nested_anys_decodes() {
    let levels = MAX_ANY_DEPTH as usize;
    let msg = Msg::decode_any(EXEC, &nested_exec_value(levels)).unwrap();
    assert_eq!(depth_of(&msg), levels);
    // The JSON form of the same message reads back too.
    let json = serde_json::to_value(&msg).unwrap();
    assert_eq!(json, nested_exec_json(levels));
    assert_eq!(serde_json::from_value::<Msg>(json).unwrap(), msg);
}

#[test]
fn one_level_deeper_is_an_error() {
    let levels = MAX_ANY_DEPTH as usize + 1;
    let err = Msg::decode_any(EXEC, &nested_exec_value(levels)).unwrap_err();
    assert!(err.to_string().contains("nest deeper than 10"), "{err}");
    let err = serde_json::from_value::<Msg>(nested_exec_json(levels)).unwrap_err();
    assert!(err.to_string().contains("nest deeper than 10"), "{err}");
}

#[test]
fn hostile_nesting_is_an_error_not_a_stack_overflow() {
    // Without a cap every level recurses through prost and the domain conversion: 200,000 levels
    // overflow any thread's stack and abort the process.
    let value = nested_exec_value(200_000);
    let err = Msg::decode_any(EXEC, &value).unwrap_err();
    assert!(err.to_string().contains("nest deeper"), "{err}");
    // The same bytes as the message of a transaction body.
    let mut body = Vec::new();
    field(1, &pack(EXEC, &value), &mut body);
    let mut raw = Vec::new();
    field(1, &body, &mut raw);
    assert!(decode_tx(&raw).is_err());
    assert!(TxBody::decode(&body).is_err());
}

#[test]
fn unpacks_per_message_are_capped() {
    let send = pack(SEND, &send_value());
    // The MsgExec itself is one unpack: 99 inner messages reach the limit, 100 pass it.
    let at_limit = vec![send.clone(); MAX_ANY_UNPACKS as usize - 1];
    let Msg::Exec(exec) = Msg::decode_any(EXEC, &exec_value(&at_limit)).unwrap() else {
        panic!("not a MsgExec")
    };
    assert_eq!(exec.msgs.len(), at_limit.len());
    let over = vec![send; MAX_ANY_UNPACKS as usize];
    let err = Msg::decode_any(EXEC, &exec_value(&over)).unwrap_err();
    assert!(
        err.to_string().contains("more than 100 nested Anys"),
        "{err}"
    );
}

#[test]
fn the_caps_apply_per_top_level_message() {
    // Many messages, each within the caps, make a valid body: the counts restart per message.
    let inner: Vec<Vec<u8>> = vec![pack(SEND, &send_value()); 60];
    let message = pack(EXEC, &exec_value(&inner));
    let mut body = Vec::new();
    for _ in 0..5 {
        field(1, &message, &mut body);
    }
    let decoded = TxBody::decode(&body).unwrap();
    assert_eq!(decoded.messages.len(), 5);
    // A failed decode leaves nothing behind that would count against the next one.
    assert!(Msg::decode_any(EXEC, &nested_exec_value(50)).is_err());
    assert!(Msg::decode_any(EXEC, &nested_exec_value(10)).is_ok());
}

#[test]
fn lengths_beyond_the_input_are_errors() {
    for claimed in [u64::MAX, 1 << 63, 1 << 32, 1000] {
        let mut raw = Vec::new();
        varint(u64::from(1u32 << 3 | 2), &mut raw);
        varint(claimed, &mut raw);
        raw.extend_from_slice(b"short");
        assert!(decode_tx(&raw).is_err(), "length {claimed}");
        assert!(TxBody::decode(&raw).is_err(), "length {claimed}");
        assert!(Msg::decode_any(EXEC, &raw).is_err(), "length {claimed}");
    }
}

#[test]
fn a_huge_repeated_field_costs_what_its_bytes_carry() {
    // 200,000 minimal unknown messages (an Any with a two-byte type URL): linear work, no error.
    let mut body = Vec::new();
    let tiny = pack("/x", b"");
    for _ in 0..200_000 {
        field(1, &tiny, &mut body);
    }
    let decoded = TxBody::decode(&body).unwrap();
    assert_eq!(decoded.messages.len(), 200_000);
}

/// A random chain of MsgExecs around one MsgSend, each level also holding some MsgSends beside the
/// next level: the encoded bytes, the depth and the number of Anys.
fn tree() -> impl Strategy<Value = (Vec<u8>, u32, u32)> {
    proptest::collection::vec(0usize..24, 1..14).prop_map(|extra_sends| {
        let send = pack(SEND, &send_value());
        let (mut bytes, mut depth, mut count) = (send.clone(), 1u32, 1u32);
        for extra in extra_sends {
            let mut anys = vec![send.clone(); extra];
            anys.push(bytes);
            bytes = pack(EXEC, &exec_value(&anys));
            depth += 1;
            count += 1 + extra as u32;
        }
        (bytes, depth, count)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn nested_messages_decode_exactly_within_the_caps((bytes, depth, count) in tree()) {
        let mut body = Vec::new();
        field(1, &bytes, &mut body);
        let within = depth <= MAX_ANY_DEPTH && count <= MAX_ANY_UNPACKS;
        prop_assert_eq!(TxBody::decode(&body).is_ok(), within);
    }

    #[test]
    fn mutated_deep_nesting_never_panics(
        levels in 2usize..40,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in any::<usize>(),
    ) {
        let mut bytes = nested_exec_value(levels);
        for (index, value) in edits {
            let len = bytes.len();
            bytes[index % len] = value;
        }
        let _ = Msg::decode_any(EXEC, &bytes);
        let _ = Msg::decode_any(EXEC, &bytes[..cut % (bytes.len() + 1)]);
    }
}
