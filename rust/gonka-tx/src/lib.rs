//! Cosmos SDK transactions for the Gonka chain: protobuf encoding, sign docs and signing.
