//! Reading protobuf wire data; every read checks the bounds of the input.

use super::{FIXED32, FIXED64, LEN, VARINT};

/// Reads protobuf wire data; every read checks the bounds of the input.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    /// How many bytes have been read.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    pub(crate) fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub(crate) fn varint(&mut self) -> std::result::Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let Some(&byte) = self.bytes.get(self.pos) else {
                return Err("truncated varint".into());
            };
            self.pos += 1;
            if shift == 63 && byte > 1 {
                return Err("varint overflows 64 bits".into());
            }
            value |= u64::from(byte & 0x7F) << shift;
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err("varint overflows 64 bits".into())
    }

    pub(crate) fn tag(&mut self) -> std::result::Result<(u32, u8), String> {
        let tag = self.varint()?;
        let number = u32::try_from(tag >> 3).map_err(|_| format!("invalid tag {tag}"))?;
        if number == 0 || number > 536_870_911 {
            return Err(format!("invalid field number {number}"));
        }
        Ok((number, (tag & 7) as u8))
    }

    pub(crate) fn len_delimited(&mut self) -> std::result::Result<&'a [u8], String> {
        let len = self.varint()?;
        let available = (self.bytes.len() - self.pos) as u64;
        if len > available {
            return Err(format!(
                "a length of {len} runs past the {available} bytes left"
            ));
        }
        let start = self.pos;
        self.pos += len as usize;
        Ok(&self.bytes[start..self.pos])
    }

    pub(crate) fn fixed<const N: usize>(&mut self) -> std::result::Result<[u8; N], String> {
        let end = self.pos + N;
        let bytes = self
            .bytes
            .get(self.pos..end)
            .ok_or("truncated fixed-width value")?;
        self.pos = end;
        Ok(bytes.try_into().unwrap_or([0; N]))
    }

    pub(crate) fn skip(&mut self, wire: u8) -> std::result::Result<(), String> {
        match wire {
            VARINT => self.varint().map(|_| ()),
            FIXED64 => self.fixed::<8>().map(|_| ()),
            LEN => self.len_delimited().map(|_| ()),
            FIXED32 => self.fixed::<4>().map(|_| ()),
            other => Err(format!(
                "unsupported wire type {other} (groups are not supported)"
            )),
        }
    }
}
