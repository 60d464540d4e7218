#![no_main]
//! Fuzzes the response and listing parsers: no panic; a parsed response uses at most the input,
//! every strict prefix of it is `Incomplete`, and writing it back and parsing again gives the
//! same response and length. The listing, CAPA and SASL-line parsers run on the same bytes.
use libfuzzer_sys::fuzz_target;
use pop3_proto::parse::auth::parse_auth_response;
use pop3_proto::parse::listing::{parse_capa, parse_scan_listings, parse_stat, parse_uid_listings};
use pop3_proto::parse::response::{MAX_RESPONSE_LINE, ResponseError, parse_response};

fuzz_target!(|data: &[u8]| {
    let _ = parse_capa(data);
    let _ = parse_scan_listings(data);
    let _ = parse_uid_listings(data);
    let _ = parse_stat(data);
    if let Ok(r) = parse_auth_response(data) {
        let _ = r.decode();
    }
    match parse_response(data) {
        Err(ResponseError::Incomplete) => {
            assert!(data.len() < MAX_RESPONSE_LINE);
            assert!(!data.contains(&b'\n'));
        }
        Err(_) => {}
        Ok((resp, used)) => {
            assert!(used <= data.len() && used >= 2);
            for k in 0..used {
                assert_eq!(
                    parse_response(&data[..k]),
                    Err(ResponseError::Incomplete),
                    "prefix {k}"
                );
            }
            let wire = resp.to_bytes();
            let (again, n) = parse_response(&wire).expect("written response parses");
            assert_eq!(n, wire.len());
            assert_eq!(again, resp);
        }
    }
});
