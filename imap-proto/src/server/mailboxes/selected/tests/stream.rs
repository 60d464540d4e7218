//! Back-pressure (BODY[] streamed with pauses, exact octets) and the MIME structure cache.

use super::*;

/// A store whose accounts keep the cached MIME structures in memory and count `put_cached`
/// and reads of messages.
pub(super) struct CachingStore {
    inner: MaildirStore,
    cache: Arc<Mutex<HashMap<u32, Bytes>>>,
    pub(super) puts: Arc<AtomicUsize>,
    pub(super) whole_reads: Arc<AtomicUsize>,
    pub(super) reads: Arc<AtomicUsize>,
}

impl CachingStore {
    /// Over the Maildir store at `dir`, with an empty cache and counters at 0.
    pub(super) fn new(dir: &std::path::Path) -> CachingStore {
        CachingStore {
            inner: MaildirStore::new(dir),
            cache: Arc::new(Mutex::new(HashMap::new())),
            puts: Arc::new(AtomicUsize::new(0)),
            whole_reads: Arc::new(AtomicUsize::new(0)),
            reads: Arc::new(AtomicUsize::new(0)),
        }
    }
}

struct CachingAccount {
    inner: Arc<dyn Account>,
    cache: Arc<Mutex<HashMap<u32, Bytes>>>,
    puts: Arc<AtomicUsize>,
    /// Calls of `read` (the whole message) and `read_stream`.
    whole_reads: Arc<AtomicUsize>,
    /// Calls of `read`, `read_stream` and `read_range`.
    reads: Arc<AtomicUsize>,
}

#[async_trait]
impl MailStore for CachingStore {
    async fn account(&self, user: &str) -> mailstore::Result<Arc<dyn Account>> {
        Ok(Arc::new(CachingAccount {
            inner: self.inner.account(user).await?,
            cache: self.cache.clone(),
            puts: self.puts.clone(),
            whole_reads: self.whole_reads.clone(),
            reads: self.reads.clone(),
        }))
    }
}

#[async_trait]
impl Account for CachingAccount {
    fn user(&self) -> &str {
        self.inner.user()
    }
    fn separator(&self) -> char {
        self.inner.separator()
    }
    async fn list(&self) -> mailstore::Result<Vec<MailboxInfo>> {
        self.inner.list().await
    }
    async fn create(&self, name: &str, u: Option<SpecialUse>) -> mailstore::Result<()> {
        self.inner.create(name, u).await
    }
    async fn delete(&self, name: &str) -> mailstore::Result<()> {
        self.inner.delete(name).await
    }
    async fn rename(&self, from: &str, to: &str) -> mailstore::Result<()> {
        self.inner.rename(from, to).await
    }
    async fn set_subscribed(&self, name: &str, on: bool) -> mailstore::Result<()> {
        self.inner.set_subscribed(name, on).await
    }
    async fn set_special_use(&self, name: &str, u: Option<SpecialUse>) -> mailstore::Result<()> {
        self.inner.set_special_use(name, u).await
    }
    async fn status(&self, mailbox: &str) -> mailstore::Result<MailboxStatus> {
        self.inner.status(mailbox).await
    }
    async fn messages(&self, mailbox: &str, uids: &UidSet) -> mailstore::Result<Vec<MessageMeta>> {
        self.inner.messages(mailbox, uids).await
    }
    async fn append(
        &self,
        mailbox: &str,
        message: MessageSource,
        options: AppendOptions,
    ) -> mailstore::Result<u32> {
        self.inner.append(mailbox, message, options).await
    }
    async fn read_stream(&self, mailbox: &str, uid: u32) -> mailstore::Result<ByteStream> {
        self.whole_reads.fetch_add(1, Ordering::SeqCst);
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.read_stream(mailbox, uid).await
    }
    async fn read(&self, mailbox: &str, uid: u32) -> mailstore::Result<Vec<u8>> {
        self.whole_reads.fetch_add(1, Ordering::SeqCst);
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.read(mailbox, uid).await
    }
    async fn read_range(
        &self,
        mailbox: &str,
        uid: u32,
        range: Range<u64>,
    ) -> mailstore::Result<Vec<u8>> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.read_range(mailbox, uid, range).await
    }
    async fn store_flags(
        &self,
        mailbox: &str,
        uids: &UidSet,
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> mailstore::Result<StoreOutcome> {
        self.inner
            .store_flags(mailbox, uids, op, flags, unchanged_since)
            .await
    }
    async fn copy(&self, from: &str, uids: &UidSet, to: &str) -> mailstore::Result<CopyOutcome> {
        self.inner.copy(from, uids, to).await
    }
    async fn move_messages(
        &self,
        from: &str,
        uids: &UidSet,
        to: &str,
    ) -> mailstore::Result<CopyOutcome> {
        self.inner.move_messages(from, uids, to).await
    }
    async fn expunge(&self, mailbox: &str, uids: Option<&UidSet>) -> mailstore::Result<Vec<u32>> {
        self.inner.expunge(mailbox, uids).await
    }
    async fn changes_since(&self, mailbox: &str, modseq: u64) -> mailstore::Result<ChangeSet> {
        self.inner.changes_since(mailbox, modseq).await
    }
    async fn cached(&self, _mailbox: &str, uids: &UidSet) -> mailstore::Result<Vec<(u32, Bytes)>> {
        let cache = self.cache.lock().unwrap();
        let mut out: Vec<(u32, Bytes)> = cache
            .iter()
            .filter(|(u, _)| uids.contains(**u))
            .map(|(u, b)| (*u, b.clone()))
            .collect();
        out.sort_by_key(|e| e.0);
        Ok(out)
    }
    async fn put_cached(
        &self,
        _mailbox: &str,
        entries: Vec<(u32, Bytes)>,
    ) -> mailstore::Result<()> {
        self.puts.fetch_add(entries.len(), Ordering::SeqCst);
        self.cache.lock().unwrap().extend(entries);
        Ok(())
    }
    async fn quota(&self) -> mailstore::Result<QuotaUsage> {
        self.inner.quota().await
    }
    fn change_notifier(&self, mailbox: &str) -> Option<Arc<tokio::sync::Notify>> {
        self.inner.change_notifier(mailbox)
    }
    fn poll_interval(&self) -> Duration {
        self.inner.poll_interval()
    }
}

#[tokio::test]
async fn big_body_streams_with_pauses_and_exact_octets() {
    // 300 kB with bare LFs: streamed, converted to CRLF on the fly, across many pauses.
    let mut big = b"Subject: big\n\n".to_vec();
    let mut i = 0u32;
    while big.len() < 300_000 {
        big.extend_from_slice(format!("line {i} of a long message\n").as_bytes());
        i += 1;
    }
    let (_dir, store) = maildir(&[M1, &big]).await;
    let mut config = ServerConfig::new("test");
    config.max_pending_output = 4096;
    let mut c = Client::new(store.clone(), config).await;
    c.run("a select INBOX").await;
    let (out, pauses) = c.run_counting("b fetch 1:2 (uid body.peek[])").await;
    let crlf = crate::server::mime::crlf_view(&big).into_owned();
    let expected = format!(
        "* 1 FETCH (UID 1 BODY[] {{154}}\r\n{})\r\n* 2 FETCH (UID 2 BODY[] {{{}}}\r\n{})\r\n\
         b OK FETCH completed\r\n",
        std::str::from_utf8(M1).unwrap(),
        crlf.len(),
        std::str::from_utf8(&crlf).unwrap()
    );
    if out != expected {
        let at = out.bytes().zip(expected.bytes()).position(|(a, b)| a != b);
        panic!(
            "streamed output differs at {at:?} (len {} vs {}): {:?}",
            out.len(),
            expected.len(),
            at.map(|i| &out[i.saturating_sub(40)..(i + 40).min(out.len())])
        );
    }
    assert!(pauses >= 300_000 / 4096 / 2, "only {pauses} pauses");
    // A partial of the big one, also streamed.
    let out = c.run("c fetch 2 (body.peek[text]<100000.10>)").await;
    let body_start = crlf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(
        out,
        format!(
            "* 2 FETCH (BODY[TEXT]<100000> {{10}}\r\n{})\r\nc OK FETCH completed\r\n",
            std::str::from_utf8(&crlf[body_start + 100_000..body_start + 100_010]).unwrap()
        )
    );
}

#[tokio::test]
async fn mime_structure_is_parsed_once_and_metadata_items_read_nothing() {
    let (dir, _) = maildir(&[M1, M2, M3]).await;
    let store = Arc::new(CachingStore::new(dir.path()));
    let puts = store.puts.clone();
    let mut c = Client::new(store.clone(), ServerConfig::new("test")).await;
    c.run("a select INBOX").await;
    // Metadata items never parse.
    c.run("b fetch 1:* (flags uid rfc822.size internaldate)")
        .await;
    assert_eq!(puts.load(Ordering::SeqCst), 0);
    let first = c.run("c fetch 1:* (bodystructure envelope)").await;
    assert_eq!(puts.load(Ordering::SeqCst), 3, "each message parsed once");
    let second = c.run("d fetch 1:* (bodystructure envelope)").await;
    assert_eq!(
        puts.load(Ordering::SeqCst),
        3,
        "the second FETCH is served from the cache"
    );
    assert_eq!(first.replace("c OK", "d OK"), second);
    assert!(
        second.contains("(\"application\" \"octet-stream\" NIL NIL NIL \"base64\" 8"),
        "{second}"
    );
    // A second session of the same account hits the same cache.
    let mut other = Client::new(store, ServerConfig::new("test")).await;
    other.run("a select INBOX").await;
    other.run("b fetch 2 body.peek[1]").await;
    assert_eq!(puts.load(Ordering::SeqCst), 3);
    let _ = SystemTime::now();
}

#[tokio::test]
async fn fetch_of_many_messages_pauses_and_answers_each_once() {
    let (_dir, store) = maildir(&[]).await;
    let account = store.account("alice").await.unwrap();
    let n = 300u32;
    for i in 0..n {
        let m = format!("Subject: m{i}\r\n\r\nbody {i}\r\n");
        append(&*account, "INBOX", m.as_bytes()).await;
    }
    let mut config = ServerConfig::new("test");
    config.max_pending_output = 1024;
    let mut c = Client::new(store.clone(), config).await;
    let out = c.run("a select INBOX").await;
    assert!(out.contains(&format!("* {n} EXISTS\r\n")), "{out}");
    let (out, pauses) = c
        .run_counting("b fetch 1:* (uid rfc822.size body.peek[header.fields (subject)])")
        .await;
    assert!(pauses > 20, "only {pauses} pauses");
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("* ")).collect();
    assert_eq!(lines.len(), n as usize);
    for (i, l) in lines.iter().enumerate() {
        let seq = i + 1;
        assert_eq!(
            *l,
            format!(
                "* {seq} FETCH (UID {seq} RFC822.SIZE {} BODY[HEADER.FIELDS (subject)] {{{}}}",
                format!("Subject: m{i}\r\n\r\nbody {i}\r\n").len(),
                format!("Subject: m{i}\r\n\r\n").len()
            )
        );
    }
    assert!(out.ends_with("b OK FETCH completed\r\n"));
    // The view holds 16 octets per message, nothing per FETCH.
    let view = &c.mb.selected.as_ref().unwrap().view;
    assert!(view.heap_size() < n as usize * 40, "{}", view.heap_size());
    assert!(c.mb.job.is_none());
}

#[tokio::test]
async fn header_fields_of_a_big_message_read_only_its_header() {
    // Its header is over what the cached structure keeps (HEADER_KEPT): read from the file.
    let long = "x".repeat(crate::server::mime::HEADER_KEPT);
    let mut big = format!("Subject: big\r\nX-Tag: one\r\nX-Long: {long}\r\n\r\n").into_bytes();
    big.resize(500_000, b'x');
    big.extend_from_slice(b"\r\n");
    let (dir, _) = maildir(&[&big]).await;
    let store = Arc::new(CachingStore::new(dir.path()));
    let whole_reads = store.whole_reads.clone();
    let mut c = Client::new(store, ServerConfig::new("test")).await;
    c.run("a select INBOX").await;
    // The first FETCH that needs the structure reads the message once to parse it.
    c.run("b fetch 1 bodystructure").await;
    assert_eq!(whole_reads.load(Ordering::SeqCst), 1);
    let out = c
        .run(
            "c fetch 1 (body.peek[header.fields (x-tag)] \
             body.peek[header.fields.not (x-tag x-long)])",
        )
        .await;
    assert_eq!(
        out,
        "* 1 FETCH (BODY[HEADER.FIELDS (x-tag)] {14}\r\nX-Tag: one\r\n\r\n \
         BODY[HEADER.FIELDS.NOT (x-tag x-long)] {16}\r\nSubject: big\r\n\r\n)\r\n\
         c OK FETCH completed\r\n"
    );
    assert_eq!(
        whole_reads.load(Ordering::SeqCst),
        1,
        "only the header was read"
    );
}
