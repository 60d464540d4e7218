//! The conformance suite on the Maildir backend.

use std::sync::Arc;

use mailstore::MailStore;
use mailstore::conformance;
use mailstore::maildir::MaildirStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conformance_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = MaildirStore::new(dir.path());
    store.set_user_quota("conf-quota", conformance::QUOTA);
    let store: Arc<dyn MailStore> = Arc::new(store);
    conformance::run_all(store.clone()).await;
    conformance::quota(store.as_ref()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_persistence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    conformance::persistence(&move || Arc::new(MaildirStore::new(&root)) as Arc<dyn MailStore>)
        .await;
}
