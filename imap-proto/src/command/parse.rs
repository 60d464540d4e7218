//! The command parser (server side): the command name, then each command's arguments, per
//! RFC 9051 §9 and the extensions' ABNF quoted above each function.

use base64::Engine as _;
use sasl::Secret;

use crate::cursor::{Cursor, ParseError, ParseResult};
use crate::status::StatusItem;
use crate::token::{AString, Atom, IString, ListMailbox, Mailbox, NString, SequenceSet};

use super::append::parse_messages;
use super::search::parse_keys;
use super::{
    CommandBody, FetchItems, FetchModifiers, ListReturnOption, ListSelectOption, QResync,
    QuotaLimit, SearchReturnOption, SelectParam, SortCriterion, StoreKind, ThreadAlgorithm,
    UNKNOWN_COMMAND, upper,
};
use crate::token::Flag;

/// Parse the command after `tag SP`, up to (not including) the CRLF.
pub(super) fn body<'a>(c: &mut Cursor<'a>) -> ParseResult<CommandBody<'a>> {
    use CommandBody as B;
    let at = c.pos();
    let name = c.atom()?;
    let mut buf = [0u8; 24];
    let unknown = ParseError::Invalid {
        at,
        expected: UNKNOWN_COMMAND,
    };
    let up = upper(name.as_bytes(), &mut buf).ok_or(unknown)?;
    Ok(match up {
        b"CAPABILITY" => B::Capability,
        b"NOOP" => B::Noop,
        b"LOGOUT" => B::Logout,
        b"STARTTLS" => B::StartTls,
        b"NAMESPACE" => B::Namespace,
        b"IDLE" => B::Idle,
        b"CHECK" => B::Check,
        b"CLOSE" => B::Close,
        b"UNSELECT" => B::Unselect,
        b"EXPUNGE" => B::Expunge,
        b"AUTHENTICATE" => authenticate(c)?,
        b"LOGIN" => {
            c.sp()?;
            let username = AString::parse(c)?;
            c.sp()?;
            B::Login {
                username,
                password: Secret::new(AString::parse(c)?),
            }
        }
        b"ENABLE" => {
            let mut capabilities = Vec::with_capacity(1);
            loop {
                c.sp()?;
                capabilities.push(Atom::parse(c)?);
                if c.at_crlf()? {
                    break;
                }
            }
            B::Enable { capabilities }
        }
        b"SELECT" => {
            let (mailbox, params) = select(c)?;
            B::Select { mailbox, params }
        }
        b"EXAMINE" => {
            let (mailbox, params) = select(c)?;
            B::Examine { mailbox, params }
        }
        b"CREATE" => create(c)?,
        b"DELETE" => B::Delete {
            mailbox: arg_mailbox(c)?,
        },
        b"RENAME" => {
            let from = arg_mailbox(c)?;
            B::Rename {
                from,
                to: arg_mailbox(c)?,
            }
        }
        b"SUBSCRIBE" => B::Subscribe {
            mailbox: arg_mailbox(c)?,
        },
        b"UNSUBSCRIBE" => B::Unsubscribe {
            mailbox: arg_mailbox(c)?,
        },
        b"LIST" => list(c)?,
        b"LSUB" => {
            let reference = arg_mailbox(c)?;
            c.sp()?;
            B::Lsub {
                reference,
                pattern: ListMailbox::parse(c)?,
            }
        }
        b"STATUS" => {
            let mailbox = arg_mailbox(c)?;
            c.sp()?;
            B::Status {
                mailbox,
                items: StatusItem::parse_list(c)?,
            }
        }
        b"APPEND" => {
            let mailbox = arg_mailbox(c)?;
            B::Append {
                mailbox,
                messages: parse_messages(c)?,
            }
        }
        b"SEARCH" => search(c, false)?,
        b"FETCH" => fetch(c, false)?,
        b"STORE" => store(c, false)?,
        b"COPY" => {
            let (set, mailbox) = set_mailbox(c)?;
            B::Copy {
                uid: false,
                set,
                mailbox,
            }
        }
        b"MOVE" => {
            let (set, mailbox) = set_mailbox(c)?;
            B::Move {
                uid: false,
                set,
                mailbox,
            }
        }
        b"SORT" => sort(c, false)?,
        b"THREAD" => thread(c, false)?,
        b"UID" => uid(c)?,
        b"ID" => id(c)?,
        b"GETQUOTA" => {
            c.sp()?;
            B::GetQuota {
                root: AString::parse(c)?,
            }
        }
        b"GETQUOTAROOT" => B::GetQuotaRoot {
            mailbox: arg_mailbox(c)?,
        },
        b"SETQUOTA" => setquota(c)?,
        b"COMPRESS" => {
            c.sp()?;
            B::Compress {
                algorithm: Atom::parse(c)?,
            }
        }
        _ => return Err(unknown),
    })
}

fn arg_mailbox<'a>(c: &mut Cursor<'a>) -> ParseResult<Mailbox<'a>> {
    c.sp()?;
    Mailbox::parse(c)
}

fn set_mailbox<'a>(c: &mut Cursor<'a>) -> ParseResult<(SequenceSet, Mailbox<'a>)> {
    c.sp()?;
    let set = SequenceSet::parse(c)?;
    Ok((set, arg_mailbox(c)?))
}

/// `uid = "UID" SP (copy / move / fetch / search / store / uid-expunge)` (RFC 9051 §6.4.9),
/// with SORT and THREAD (RFC 5256).
fn uid<'a>(c: &mut Cursor<'a>) -> ParseResult<CommandBody<'a>> {
    use CommandBody as B;
    c.sp()?;
    let at = c.pos();
    let name = c.atom()?;
    let mut buf = [0u8; 24];
    let bad = ParseError::Invalid {
        at,
        expected: "COPY, MOVE, FETCH, SEARCH, STORE, EXPUNGE, SORT or THREAD after UID",
    };
    let up = upper(name.as_bytes(), &mut buf).ok_or(bad)?;
    Ok(match up {
        b"FETCH" => fetch(c, true)?,
        b"SEARCH" => search(c, true)?,
        b"STORE" => store(c, true)?,
        b"COPY" => {
            let (set, mailbox) = set_mailbox(c)?;
            B::Copy {
                uid: true,
                set,
                mailbox,
            }
        }
        b"MOVE" => {
            let (set, mailbox) = set_mailbox(c)?;
            B::Move {
                uid: true,
                set,
                mailbox,
            }
        }
        b"EXPUNGE" => {
            c.sp()?;
            B::UidExpunge {
                uids: SequenceSet::parse(c)?,
            }
        }
        b"SORT" => sort(c, true)?,
        b"THREAD" => thread(c, true)?,
        _ => return Err(bad),
    })
}

/// `authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp]`,
/// `initial-resp = (base64 / "=")` (RFC 9051 §6.2.2, RFC 4959 §3).
fn authenticate<'a>(c: &mut Cursor<'a>) -> ParseResult<CommandBody<'a>> {
    c.sp()?;
    let mechanism = Atom::parse(c)?;
    let initial_response = if c.at_crlf()? {
        None
    } else {
        c.sp()?;
        let at = c.pos();
        let text = c.take_while(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))?;
        if text.is_empty() {
            return Err(c.invalid("base64 or ="));
        }
        let data = if text == b"=" {
            Vec::new()
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| ParseError::Invalid {
                    at,
                    expected: "base64 initial response",
                })?
        };
        Some(Secret::new(data))
    };
    Ok(CommandBody::Authenticate {
        mechanism,
        initial_response,
    })
}

/// `select = "SELECT" SP mailbox [select-params]`,
/// `select-params = SP "(" select-param *(SP select-param) ")"` (RFC 4466 §2.1, RFC 7162).
fn select<'a>(c: &mut Cursor<'a>) -> ParseResult<(Mailbox<'a>, Vec<SelectParam>)> {
    let mailbox = arg_mailbox(c)?;
    if c.at_crlf()? {
        return Ok((mailbox, Vec::new()));
    }
    c.sp()?;
    let params = c.paren_list(false, |c| {
        if c.keyword(b"CONDSTORE")? {
            Ok(SelectParam::CondStore)
        } else if c.keyword(b"QRESYNC")? {
            c.sp()?;
            qresync(c).map(SelectParam::QResync)
        } else {
            Err(c.invalid("select-param (CONDSTORE or QRESYNC)"))
        }
    })?;
    Ok((mailbox, params))
}

/// `"(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"`,
/// `seq-match-data = "(" known-sequence-set SP known-uid-set ")"` (RFC 7162 §3.2.5, §7).
fn qresync(c: &mut Cursor<'_>) -> ParseResult<QResync> {
    c.expect(b'(', "( after QRESYNC")?;
    c.enter()?;
    let uid_validity = c.nz_number()?;
    c.sp()?;
    let mod_seq = c.number64()?;
    let mut known_uids = None;
    let mut seq_match = None;
    if c.eat(b' ')? {
        if c.peek()? != b'(' {
            known_uids = Some(SequenceSet::parse(c)?);
            if c.eat(b' ')? {
                c.expect(b'(', "( of seq-match-data")?;
            } else {
                c.expect(b')', ") closing QRESYNC")?;
                c.leave();
                return Ok(QResync {
                    uid_validity,
                    mod_seq,
                    known_uids,
                    seq_match,
                });
            }
        } else {
            c.advance(1);
        }
        let seqs = SequenceSet::parse(c)?;
        c.sp()?;
        let uids = SequenceSet::parse(c)?;
        c.expect(b')', ") closing seq-match-data")?;
        seq_match = Some((seqs, uids));
    }
    c.expect(b')', ") closing QRESYNC")?;
    c.leave();
    Ok(QResync {
        uid_validity,
        mod_seq,
        known_uids,
        seq_match,
    })
}

/// `create = "CREATE" SP mailbox [create-params]`,
/// `create-params = SP "(" "USE" SP "(" [use-attr *(SP use-attr)] ")" ")"` (RFC 4466, RFC 6154 §6).
fn create<'a>(c: &mut Cursor<'a>) -> ParseResult<CommandBody<'a>> {
    let mailbox = arg_mailbox(c)?;
    let mut special_use = Vec::new();
    if !c.at_crlf()? {
        c.sp()?;
        c.paren_list(false, |c| {
            if !c.keyword(b"USE")? {
                return Err(c.invalid("create-param USE"));
            }
            c.sp()?;
            special_use = c.paren_list(true, |c| {
                c.expect(b'\\', "use-attr (\\Drafts, \\Sent, ...)")?;
                Atom::parse(c)
            })?;
            Ok(())
        })?;
    }
    Ok(CommandBody::Create {
        mailbox,
        special_use,
    })
}

/// ```text
/// list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
/// list-select-opts = "(" [list-select-opt *(SP list-select-opt)] ")"
/// mbox-or-pat = list-mailbox / patterns
/// patterns = "(" list-mailbox *(SP list-mailbox) ")"
/// list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
/// ```
/// (RFC 5258 §6, RFC 6154 §6, RFC 5819 §4.)
fn list<'a>(c: &mut Cursor<'a>) -> ParseResult<CommandBody<'a>> {
    c.sp()?;
    let selection = if c.peek()? == b'(' {
        let s = c.paren_list(true, |c| {
            let at = c.pos();
            let w = c.atom()?;
            let mut buf = [0u8; 24];
            match upper(w.as_bytes(), &mut buf) {
                Some(b"SUBSCRIBED") => Ok(ListSelectOption::Subscribed),
                Some(b"REMOTE") => Ok(ListSelectOption::Remote),
                Some(b"RECURSIVEMATCH") => Ok(ListSelectOption::RecursiveMatch),
                Some(b"SPECIAL-USE") => Ok(ListSelectOption::SpecialUse),
                _ => Err(ParseError::Invalid {
                    at,
                    expected: "list-select-opt",
                }),
            }
        })?;
        c.sp()?;
        s
    } else {
        Vec::new()
    };
    let reference = Mailbox::parse(c)?;
    c.sp()?;
    let patterns = if c.peek()? == b'(' {
        c.paren_list(false, ListMailbox::parse)?
    } else {
        vec![ListMailbox::parse(c)?]
    };
    let mut return_opts = Vec::new();
    if !c.at_crlf()? {
        c.sp()?;
        if !c.keyword(b"RETURN")? {
            return Err(c.invalid("RETURN"));
        }
        c.sp()?;
        return_opts = c.paren_list(true, |c| {
            let at = c.pos();
            let w = c.atom()?;
            let mut buf = [0u8; 24];
            match upper(w.as_bytes(), &mut buf) {
                Some(b"SUBSCRIBED") => Ok(ListReturnOption::Subscribed),
                Some(b"CHILDREN") => Ok(ListReturnOption::Children),
                Some(b"SPECIAL-USE") => Ok(ListReturnOption::SpecialUse),
                Some(b"STATUS") => {
                    c.sp()?;
                    StatusItem::parse_list(c).map(ListReturnOption::Status)
                }
                _ => Err(ParseError::Invalid {
                    at,
                    expected: "return-option",
                }),
            }
        })?;
    }
    Ok(CommandBody::List {
        selection,
        reference,
        patterns,
        return_opts,
    })
}

/// ```text
/// search = "SEARCH" [search-return-opts] SP search-program
/// search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
/// search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)
/// ```
fn search<'a>(c: &mut Cursor<'a>, uid: bool) -> ParseResult<CommandBody<'a>> {
    c.sp()?;
    let return_opts = if c.keyword(b"RETURN")? {
        c.sp()?;
        let o = c.paren_list(true, SearchReturnOption::parse)?;
        c.sp()?;
        Some(o)
    } else {
        None
    };
    let charset = if c.keyword(b"CHARSET")? {
        c.sp()?;
        let cs = AString::parse(c)?;
        c.sp()?;
        Some(cs)
    } else {
        None
    };
    Ok(CommandBody::Search {
        uid,
        return_opts,
        charset,
        criteria: parse_keys(c)?,
    })
}

/// `fetch = "FETCH" SP sequence-set SP (macro / fetch-att / "(" fetch-att *(SP fetch-att) ")")
/// [fetch-modifiers]`.
fn fetch<'a>(c: &mut Cursor<'a>, uid: bool) -> ParseResult<CommandBody<'a>> {
    c.sp()?;
    let set = SequenceSet::parse(c)?;
    c.sp()?;
    let items = FetchItems::parse(c)?;
    let modifiers = if c.at_crlf()? {
        FetchModifiers::default()
    } else {
        c.sp()?;
        FetchModifiers::parse(c)?
    };
    Ok(CommandBody::Fetch {
        uid,
        set,
        items,
        modifiers,
    })
}

/// ```text
/// store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
/// store-modifiers = SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"   ; RFC 7162
/// store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
/// ```
fn store<'a>(c: &mut Cursor<'a>, uid: bool) -> ParseResult<CommandBody<'a>> {
    c.sp()?;
    let set = SequenceSet::parse(c)?;
    c.sp()?;
    let unchanged_since = if c.peek()? == b'(' {
        let mut v = None;
        c.paren_list(false, |c| {
            if !c.keyword(b"UNCHANGEDSINCE")? {
                return Err(c.invalid("store-modifier UNCHANGEDSINCE"));
            }
            c.sp()?;
            v = Some(c.number64()?);
            Ok(())
        })?;
        c.sp()?;
        v
    } else {
        None
    };
    let kind = match c.peek()? {
        b'+' => {
            c.advance(1);
            StoreKind::Add
        }
        b'-' => {
            c.advance(1);
            StoreKind::Remove
        }
        _ => StoreKind::Replace,
    };
    let at = c.pos();
    let silent = if c.keyword(b"FLAGS")? {
        false
    } else if c.keyword(b"FLAGS.SILENT")? {
        true
    } else {
        return Err(ParseError::Invalid {
            at,
            expected: "FLAGS or FLAGS.SILENT",
        });
    };
    c.sp()?;
    let flags = if c.peek()? == b'(' {
        Flag::parse_list(c)?
    } else {
        let mut v = Vec::with_capacity(1);
        loop {
            v.push(Flag::parse(c)?);
            if c.at_crlf()? {
                break;
            }
            c.sp()?;
        }
        v
    };
    Ok(CommandBody::Store {
        uid,
        set,
        unchanged_since,
        kind,
        silent,
        flags,
    })
}

/// `sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria`,
/// `sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"`,
/// `search-criteria = charset 1*(SP search-key)` (RFC 5256 §5).
fn sort<'a>(c: &mut Cursor<'a>, uid: bool) -> ParseResult<CommandBody<'a>> {
    c.sp()?;
    let criteria = c.paren_list(false, SortCriterion::parse)?;
    c.sp()?;
    let charset = AString::parse(c)?;
    c.sp()?;
    Ok(CommandBody::Sort {
        uid,
        criteria,
        charset,
        keys: parse_keys(c)?,
    })
}

/// `thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria` (RFC 5256 §5).
fn thread<'a>(c: &mut Cursor<'a>, uid: bool) -> ParseResult<CommandBody<'a>> {
    c.sp()?;
    let algorithm = ThreadAlgorithm::parse(c)?;
    c.sp()?;
    let charset = AString::parse(c)?;
    c.sp()?;
    Ok(CommandBody::Thread {
        uid,
        algorithm,
        charset,
        keys: parse_keys(c)?,
    })
}

/// `id = "ID" SP id-params-list`,
/// `id-params-list = "(" *(string SP nstring) ")" / nil` (RFC 2971 §4).
fn id<'a>(c: &mut Cursor<'a>) -> ParseResult<CommandBody<'a>> {
    c.sp()?;
    if c.keyword(b"NIL")? {
        return Ok(CommandBody::Id { params: None });
    }
    let params = c.paren_list(true, |c| {
        let k = IString::parse(c)?;
        c.sp()?;
        Ok((k, NString::parse(c)?))
    })?;
    Ok(CommandBody::Id {
        params: Some(params),
    })
}

/// `setquota = "SETQUOTA" SP quota-root-name SP setquota-list`,
/// `setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")"`,
/// `setquota-resource = resource-name SP resource-limit` (RFC 9208 §9).
fn setquota<'a>(c: &mut Cursor<'a>) -> ParseResult<CommandBody<'a>> {
    c.sp()?;
    let root = AString::parse(c)?;
    c.sp()?;
    let limits = c.paren_list(true, |c| {
        let resource = Atom::parse(c)?;
        c.sp()?;
        Ok(QuotaLimit {
            resource,
            limit: c.number64()?,
        })
    })?;
    Ok(CommandBody::SetQuota { root, limits })
}
