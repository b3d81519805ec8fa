//! A small, lenient protobuf wire reader: yields (field number, value) pairs and keeps the raw
//! bytes of every field, so unknown fields survive decoding. Nothing recurses; callers decode
//! nested messages one level at a time.

/// A field's value by wire type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireValue<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    Fixed32(u32),
}

/// One field: its number, value, and its bytes as encoded (tag included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    pub number: u32,
    pub value: WireValue<'a>,
    pub raw: &'a [u8],
}

pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut value: u64 = 0;
        for shift in 0..10 {
            let byte = *self
                .data
                .get(self.pos)
                .ok_or_else(|| format!("truncated varint at byte {}", self.pos))?;
            self.pos += 1;
            if shift == 9 && byte > 1 {
                return Err(format!("varint overflows 64 bits at byte {}", self.pos - 1));
            }
            value |= u64::from(byte & 0x7f) << (7 * shift);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(format!("varint longer than 10 bytes at byte {}", self.pos))
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(len)
            .filter(|&end| end <= self.data.len())
            .ok_or_else(|| {
                format!(
                    "field of {len} bytes at byte {} runs past the end ({} bytes)",
                    self.pos,
                    self.data.len()
                )
            })?;
        let out = &self.data[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    /// The next field, `None` at the end, or why the bytes are not protobuf.
    pub fn next_field(&mut self) -> Option<Result<Field<'a>, String>> {
        if self.pos >= self.data.len() {
            return None;
        }
        Some(self.read_field())
    }

    fn read_field(&mut self) -> Result<Field<'a>, String> {
        let start = self.pos;
        let tag = self.varint()?;
        let number = u32::try_from(tag >> 3)
            .ok()
            .filter(|&n| n != 0 && n < (1 << 29))
            .ok_or_else(|| format!("invalid field number in tag {tag} at byte {start}"))?;
        let value = match tag & 7 {
            0 => WireValue::Varint(self.varint()?),
            1 => {
                let bytes = self.take(8)?;
                WireValue::Fixed64(u64::from_le_bytes(bytes.try_into().expect("8 bytes")))
            }
            2 => {
                let len = self.varint()?;
                let len = usize::try_from(len).map_err(|_| format!("length {len} too large"))?;
                WireValue::Bytes(self.take(len)?)
            }
            5 => {
                let bytes = self.take(4)?;
                WireValue::Fixed32(u32::from_le_bytes(bytes.try_into().expect("4 bytes")))
            }
            wire => {
                return Err(format!(
                    "unsupported wire type {wire} (field {number}) at byte {start}"
                ))
            }
        };
        Ok(Field {
            number,
            value,
            raw: &self.data[start..self.pos],
        })
    }
}

impl<'a> Field<'a> {
    pub fn varint(&self, what: &str) -> Result<u64, String> {
        match self.value {
            WireValue::Varint(v) => Ok(v),
            _ => Err(format!("{what} (field {}) is not a varint", self.number)),
        }
    }

    pub fn bytes(&self, what: &str) -> Result<&'a [u8], String> {
        match self.value {
            WireValue::Bytes(b) => Ok(b),
            _ => Err(format!(
                "{what} (field {}) is not length-delimited",
                self.number
            )),
        }
    }

    pub fn string(&self, what: &str) -> Result<String, String> {
        let bytes = self.bytes(what)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| format!("{what} is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_wire_type_and_keeps_raw_bytes() {
        // field 1 varint 150, field 2 bytes "hi", field 3 fixed32, field 4 fixed64
        let data = [
            0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i', 0x1d, 1, 0, 0, 0, 0x21, 2, 0, 0, 0, 0, 0, 0,
            0,
        ];
        let mut reader = Reader::new(&data);
        let fields: Vec<_> = std::iter::from_fn(|| reader.next_field())
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(fields.len(), 4);
        assert_eq!(fields[0].value, WireValue::Varint(150));
        assert_eq!(fields[0].raw, &[0x08, 0x96, 0x01]);
        assert_eq!(fields[1].value, WireValue::Bytes(b"hi"));
        assert_eq!(fields[2].value, WireValue::Fixed32(1));
        assert_eq!(fields[3].value, WireValue::Fixed64(2));
    }

    #[test]
    fn truncation_and_bad_tags_are_errors() {
        for bad in [
            &[0x08][..],
            &[0x12, 0x05, 1],
            &[0x00, 0x01],
            &[0x0b],
            &[
                0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
            ],
        ] {
            let mut reader = Reader::new(bad);
            assert!(reader.next_field().unwrap().is_err(), "{bad:?}");
        }
    }
}
