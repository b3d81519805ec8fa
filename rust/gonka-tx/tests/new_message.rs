//! A message declared in a `.proto` file alone works with no code of its own: compiled here the way
//! build.rs compiles `proto/` (protox), registered at run time, it encodes, decodes, is checked as its
//! annotations say and round-trips through the chain's JSON form, in a signed transaction too. Its wire
//! form is checked against prost-reflect's, an independent encoder driven by the same descriptor.

use std::path::PathBuf;

use gonka_core::secp256k1::PrivateKey;
use gonka_tx::schema;
use gonka_tx::tx::decode_tx_values;
use gonka_tx::value::json::{any_to_json, read_any};
use gonka_tx::value::{check, wire, AnyValue};
use gonka_tx::{AuthInfo, Coin, Fee, Msg, SignerInfo, TxBody};
use prost::Message as _;
use prost_reflect::{DescriptorPool, DynamicMessage, Value as ReflectValue};
use serde_json::json;

const PING: &str = r#"
syntax = "proto3";
package gonka.test.v1;

import "google/protobuf/any.proto";
import "google/protobuf/timestamp.proto";
import "cosmos/base/v1beta1/coin.proto";
import "gonka/options.proto";

enum Level {
  LEVEL_UNSPECIFIED = 0;
  LEVEL_LOW = 1;
  LEVEL_HIGH = 2;
}

// A note on a ping.
message Note {
  string text = 1;
  sint64 delta = 2;
}

// A message no code knows about.
message MsgPing {
  option (gonka.implements) = "Msg";

  string sender = 1 [(gonka.required) = true, (gonka.check) = ACCOUNT_ADDRESS];
  repeated cosmos.base.v1beta1.Coin amount = 2 [(gonka.check) = OPTIONAL_POSITIVE_COINS];
  uint64 nonce = 3 [(gonka.required) = true];
  google.protobuf.Timestamp at = 4;
  repeated google.protobuf.Any inner = 5 [(gonka.accepts) = "Msg"];
  bytes blob = 6;
  repeated double dist = 7 [(gonka.check) = FINITE];
  Level level = 8;
  Note note = 9;
  fixed32 flags = 10;
}
"#;

const SENDER: &str = "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l";
const OTHER: &str = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le";

/// The descriptor set of the test's .proto, compiled (once) against the crate's proto/ as build.rs does.
fn descriptor_set() -> Vec<u8> {
    static SET: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    SET.get_or_init(compile).clone()
}

fn compile() -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("gonka-new-message-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("gonka/test/v1")).unwrap();
    std::fs::write(dir.join("gonka/test/v1/ping.proto"), PING).unwrap();
    let proto = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("proto");
    let mut compiler = protox::Compiler::new([dir.clone(), proto]).unwrap();
    compiler.include_imports(true);
    compiler.open_files(["gonka/test/v1/ping.proto"]).unwrap();
    let set = compiler.encode_file_descriptor_set();
    std::fs::remove_dir_all(dir).unwrap();
    set
}

fn register() -> Vec<u8> {
    let set = descriptor_set();
    let names: Vec<String> = schema::register(&set)
        .unwrap()
        .iter()
        .map(|s| s.full_name.clone())
        .collect();
    assert!(
        names.contains(&"gonka.test.v1.MsgPing".to_string()),
        "{names:?}"
    );
    // Registering again is harmless (the tests of this file share the process).
    assert_eq!(schema::register(&set).unwrap().len(), names.len());
    set
}

fn ping_json() -> serde_json::Value {
    json!({
        "@type": "/gonka.test.v1.MsgPing",
        "sender": SENDER,
        "amount": [{"denom": "ngonka", "amount": "5"}],
        "nonce": "7",
        "at": "2026-08-22T06:31:44.143457Z",
        "inner": [{
            "@type": "/cosmos.bank.v1beta1.MsgSend",
            "from_address": SENDER,
            "to_address": OTHER,
            "amount": [{"denom": "ngonka", "amount": "1000"}],
        }],
        "blob": "AQID",
        "dist": [0.5, 1.25],
        "level": "LEVEL_HIGH",
        "note": {"text": "hi", "delta": "-3"},
        "flags": 9,
    })
}

#[test]
fn encodes_decodes_and_round_trips_through_json() {
    let set = register();
    let ping = read_any(&&ping_json(), Some("Msg")).unwrap();
    assert!(matches!(ping, AnyValue::Typed(_)));
    check::any(&ping, "MsgPing").unwrap();
    let bytes = ping.encode_value().unwrap();
    // The same JSON, every field written as the chain writes it.
    assert_eq!(any_to_json(&ping).unwrap(), ping_json());
    assert_eq!(
        wire::decode_any("/gonka.test.v1.MsgPing", &bytes, Some("Msg")).unwrap(),
        ping
    );

    // An independent reading of the bytes.
    let pool = DescriptorPool::decode(set.as_slice()).unwrap();
    let descriptor = pool.get_message_by_name("gonka.test.v1.MsgPing").unwrap();
    let reflected = DynamicMessage::decode(descriptor, bytes.as_slice()).unwrap();
    let field = |name: &str| reflected.get_field_by_name(name).unwrap().into_owned();
    assert_eq!(field("sender"), ReflectValue::String(SENDER.into()));
    assert_eq!(field("nonce"), ReflectValue::U64(7));
    assert_eq!(field("blob"), ReflectValue::Bytes(vec![1, 2, 3].into()));
    assert_eq!(field("level"), ReflectValue::EnumNumber(2));
    assert_eq!(field("flags"), ReflectValue::U32(9));
    assert_eq!(
        field("dist"),
        ReflectValue::List(vec![ReflectValue::F64(0.5), ReflectValue::F64(1.25)])
    );
    let note = field("note");
    let note = note.as_message().unwrap();
    assert_eq!(note.get_field_by_name("delta").unwrap().as_i64(), Some(-3));
    // Encoding the reflected message gives the same bytes.
    assert_eq!(reflected.encode_to_vec(), bytes);
}

#[test]
fn its_annotations_are_its_checks() {
    register();
    let mut bad = ping_json();
    bad["sender"] = json!("gonka1notanaddress");
    let err = check::any(&read_any(&&bad, Some("Msg")).unwrap(), "MsgPing").unwrap_err();
    assert!(err.to_string().contains("MsgPing.sender"), "{err}");
    let mut bad = ping_json();
    bad["amount"] = json!([{"denom": "ngonka", "amount": "0"}]);
    let err = check::any(&read_any(&&bad, Some("Msg")).unwrap(), "MsgPing").unwrap_err();
    assert!(err.to_string().contains("must be positive"), "{err}");
    let mut bad = ping_json();
    bad.as_object_mut().unwrap().remove("nonce");
    let err = read_any(&&bad, Some("Msg")).unwrap_err();
    assert!(err.to_string().contains("missing field \"nonce\""), "{err}");
}

#[test]
fn travels_in_a_signed_transaction() {
    register();
    let ping = read_any(&&ping_json(), Some("Msg")).unwrap();
    let body = TxBody {
        messages: vec![Msg::raw(
            "/gonka.test.v1.MsgPing",
            ping.encode_value().unwrap(),
        )],
        memo: "ping".into(),
        ..TxBody::default()
    };
    let key = PrivateKey::from_bytes(&gonka_core::hash::sha256(b"gonka-spec-test-key")).unwrap();
    let auth = AuthInfo {
        signer_infos: vec![SignerInfo::direct(&key.public_key().compressed(), 0)],
        fee: Fee {
            amount: vec![Coin::new("ngonka", 1)],
            gas_limit: 100_000,
            ..Fee::default()
        },
    };
    let raw = gonka_tx::sign_direct(
        &body.encode().unwrap(),
        &auth.encode().unwrap(),
        "gonka-mainnet",
        3,
        &key,
    )
    .unwrap();
    let decoded = decode_tx_values(&raw).unwrap();
    decoded.check().unwrap();
    assert_eq!(decoded.body.messages, vec![ping]);
    let json = serde_json::to_value(gonka_tx::tx::TxJson {
        body: &decoded.body,
        auth_info: &decoded.auth_info,
        signatures: &decoded.signatures,
    })
    .unwrap();
    assert_eq!(json["body"]["messages"][0], ping_json());
}
