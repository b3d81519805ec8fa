//! Properties: decode(encode(x)) == x, and decoding arbitrary or mutated bytes returns an error
//! instead of panicking.

use gonka_core::secp256k1::PrivateKey;
use gonka_tx::msg::{
    Authorization, GenericAuthorization, Grant, MsgGrant, MsgSend, MsgSubmitPocBatch, MsgVote,
    VoteOption,
};
use gonka_tx::{decode_tx, AuthInfo, Coin, Fee, Msg, SignerInfo, Timestamp, TxBody};
use proptest::prelude::*;

fn address() -> impl Strategy<Value = String> {
    proptest::array::uniform20(any::<u8>())
        .prop_map(|bytes| gonka_core::address::encode("gonka", &bytes).unwrap())
}

fn coin() -> impl Strategy<Value = Coin> {
    ("[a-z][a-z0-9/]{2,12}", 1u128..u128::MAX).prop_map(|(denom, amount)| Coin::new(denom, amount))
}

fn msg() -> impl Strategy<Value = Msg> {
    let send = (address(), address(), coin()).prop_map(|(from_address, to_address, c)| {
        Msg::Send(MsgSend {
            from_address,
            to_address,
            amount: vec![c],
        })
    });
    let vote =
        (any::<u64>(), address(), 1i32..=4, ".{0,20}").prop_map(|(id, voter, option, metadata)| {
            Msg::Vote(MsgVote {
                proposal_id: id,
                voter,
                option: VoteOption::from_i32(option).unwrap(),
                metadata,
            })
        });
    let batch = (
        address(),
        any::<i64>(),
        proptest::collection::vec((any::<i64>(), -1e9f64..1e9), 0..8),
    )
        .prop_map(|(creator, height, pairs)| {
            Msg::SubmitPocBatch(MsgSubmitPocBatch {
                creator,
                poc_stage_start_block_height: height,
                batch_id: "batch".into(),
                nonces: pairs.iter().map(|p| p.0).collect(),
                dist: pairs.iter().map(|p| p.1).collect(),
                node_id: String::new(),
            })
        });
    let grant = (
        address(),
        address(),
        0i64..253_402_300_799,
        0i32..1_000_000_000,
    )
        .prop_map(|(granter, grantee, seconds, nanos)| {
            Msg::Grant(MsgGrant {
                granter,
                grantee,
                grant: Grant {
                    authorization: Authorization::Generic(GenericAuthorization {
                        msg: "/inference.inference.MsgClaimRewards".into(),
                    }),
                    expiration: Some(Timestamp::new(seconds, nanos).unwrap()),
                },
            })
        });
    prop_oneof![send, vote, batch, grant]
}

fn key() -> PrivateKey {
    PrivateKey::from_bytes(&gonka_core::hash::sha256(b"gonka-spec-test-key")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn signed_txs_round_trip(
        messages in proptest::collection::vec(msg(), 1..4),
        memo in ".{0,40}",
        gas_limit in any::<u64>(),
        sequence in any::<u64>(),
        account in any::<u64>(),
    ) {
        let body = TxBody { messages, memo, ..TxBody::default() };
        let key = key();
        let auth = AuthInfo {
            signer_infos: vec![SignerInfo::direct(&key.public_key().compressed(), sequence)],
            fee: Fee { amount: vec![Coin::new("ngonka", 7)], gas_limit, ..Fee::default() },
        };
        let raw = gonka_tx::sign_direct(&body.encode().unwrap(), &auth.encode().unwrap(), "gonka-mainnet", account, &key).unwrap();
        let decoded = decode_tx(&raw).unwrap();
        prop_assert_eq!(&decoded.tx.body, &body);
        prop_assert_eq!(&decoded.tx.auth_info, &auth);
        decoded.verify("gonka-mainnet", &[account]).unwrap();
        // The JSON form round-trips too.
        let json = serde_json::to_value(&decoded.tx).unwrap();
        let again: gonka_tx::Tx = serde_json::from_value(json).unwrap();
        prop_assert_eq!(again, decoded.tx);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_tx(&data);
    }

    #[test]
    fn mutated_txs_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8), cut in any::<usize>()) {
        let body = TxBody {
            messages: vec![Msg::Send(MsgSend {
                from_address: "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l".into(),
                to_address: "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le".into(),
                amount: vec![Coin::new("ngonka", 1000)],
            })],
            unordered: true,
            timeout_timestamp: Some(Timestamp::new(1_760_000_060, 5).unwrap()),
            ..TxBody::default()
        };
        let key = key();
        let auth = AuthInfo {
            signer_infos: vec![SignerInfo::direct(&key.public_key().compressed(), 0)],
            fee: Fee { gas_limit: 1, ..Fee::default() },
        };
        let mut raw = gonka_tx::sign_direct(&body.encode().unwrap(), &auth.encode().unwrap(), "c", 1, &key).unwrap();
        for (index, value) in edits {
            let len = raw.len();
            raw[index % len] = value;
        }
        let _ = decode_tx(&raw);
        let _ = decode_tx(&raw[..cut % (raw.len() + 1)]);
        if let Ok(decoded) = decode_tx(&raw) {
            let _ = decoded.verify("c", &[1]);
            let _ = serde_json::to_value(&decoded.tx);
        }
    }
}
