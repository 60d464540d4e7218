//! Dovecot on the same Maildir: the folders this server creates (names with umlauts, a
//! hierarchy) are the folders Dovecot lists, with the same names on the wire (modified UTF-7)
//! and the same hierarchy attributes; and the folders Dovecot creates are listed alike here.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use mailstore::maildir::MaildirStore;
use testkit::dovecot::{Dovecot, chown_dovecot};

use super::tests::Harness;
use crate::response::{Data, MailboxAttribute, Response};
use crate::server::session::ServerConfig;

/// Runs `commands` on an IMAP server after `LOGIN alice secret`; the untagged lines of each.
fn imap_client(addr: SocketAddr, commands: &[&str]) -> Vec<Vec<String>> {
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).expect("greeting");
    assert!(line.starts_with("* OK"), "greeting {line:?}");
    let mut all = Vec::new();
    let logins = std::iter::once("LOGIN alice secret");
    for (i, command) in logins.chain(commands.iter().copied()).enumerate() {
        let tag = format!("t{i}");
        writer
            .write_all(format!("{tag} {command}\r\n").as_bytes())
            .unwrap();
        let mut untagged = Vec::new();
        loop {
            line.clear();
            assert!(reader.read_line(&mut line).expect("response") > 0, "closed");
            if let Some(status) = line.strip_prefix(&format!("{tag} ")) {
                assert!(status.starts_with("OK"), "{command}: {line}");
                break;
            }
            untagged.push(line.clone());
        }
        if i > 0 {
            all.push(untagged);
        }
    }
    all
}

/// `(name, delimiter, hierarchy attributes)` of each `* LIST` line, sorted.
fn listed(lines: &[String]) -> Vec<(String, Option<char>, Vec<String>)> {
    let mut out: Vec<_> = lines
        .iter()
        .filter_map(|l| match Response::parse(l.as_bytes()) {
            Ok((Response::Data(Data::List(item)), _)) => {
                let mut attrs: Vec<String> = item
                    .attributes
                    .iter()
                    .filter(|a| {
                        matches!(
                            a,
                            MailboxAttribute::NoSelect
                                | MailboxAttribute::HasChildren
                                | MailboxAttribute::HasNoChildren
                        )
                    })
                    .map(|a| format!("{a:?}"))
                    .collect();
                attrs.sort();
                let name = String::from_utf8(item.mailbox.as_bytes().to_vec()).unwrap();
                Some((name, item.delimiter, attrs))
            }
            _ => None,
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn dovecot_lists_our_folders_and_we_list_dovecots() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dc = Dovecot::start(dir.path(), &[("alice", "secret")]).expect("dovecot");
    let store = MaildirStore::new(dc.mail_root());
    let work = tempfile::tempdir().expect("temp dir");
    let mut h = Harness::open(work, Arc::new(store), ServerConfig::new("imap.test")).await;
    h.utf8();
    for name in [
        "Entwürfe",
        "Archiv.2025",
        "Privat.Familie.Großeltern",
        "Reisen.Ägypten",
        "Tom & Jerry",
        "日本語",
    ] {
        let out = h.run(&format!("c CREATE \"{name}\"")).await;
        assert_eq!(out, "c OK CREATE completed\r\n", "{name}");
    }
    h.session.encoder().set_utf8(false);
    let ours = h.run("l LIST \"\" *").await;
    let ours: Vec<String> = ours.split_inclusive("\r\n").map(str::to_string).collect();
    assert!(ours.last().unwrap().starts_with("l OK"));
    chown_dovecot(&dc.mail_root()).expect("chown");

    let theirs = imap_client(
        dc.imap_addr(),
        &[
            "LIST \"\" *",
            "CREATE \"Notizen.&ANw-bersicht\"",
            "CREATE \"Caf&AOk-\"",
        ],
    );
    let (ours_listed, theirs_listed) = (listed(&ours), listed(&theirs[0]));
    assert_eq!(ours_listed.len(), 11, "{ours:?}");
    assert_eq!(
        ours_listed, theirs_listed,
        "ours {ours:?}\ndovecot's {:?}",
        theirs[0]
    );
    assert!(
        ours_listed
            .iter()
            .any(|(n, ..)| n == "Privat.Familie.Gro&AN8-eltern"),
        "{ours_listed:?}"
    );

    // Folders Dovecot created, as this server lists them (modified UTF-7 and UTF-8); Dovecot
    // made no folder for the parent `Notizen`: it is `\Noselect` here and there.
    let out = h.run("l2 LIST \"\" (Notizen* Caf*)").await;
    assert_eq!(
        out,
        "* LIST (\\HasNoChildren) \".\" Caf&AOk-\r\n\
         * LIST (\\Noselect \\HasChildren) \".\" Notizen\r\n\
         * LIST (\\HasNoChildren) \".\" Notizen.&ANw-bersicht\r\n\
         l2 OK LIST completed\r\n"
    );
    h.utf8();
    let out = h.run("l3 LIST \"\" Notizen.*").await;
    assert_eq!(
        out,
        "* LIST (\\HasNoChildren) \".\" \"Notizen.Übersicht\"\r\nl3 OK LIST completed\r\n"
    );
    let again = imap_client(dc.imap_addr(), &["LIST \"\" *"]);
    h.session.encoder().set_utf8(false);
    let ours = h.run("l4 LIST \"\" *").await;
    let ours: Vec<String> = ours.split_inclusive("\r\n").map(str::to_string).collect();
    assert_eq!(listed(&ours), listed(&again[0]));
}
