//! Mailbox operations: create, list, rename, delete, names.

use super::{append, id_of, message};
use crate::{AppendOptions, Flag, MailStore, SpecialUse, StoreError, UidSet};

/// Create, list (hierarchy, special use, subscriptions), rename with children, delete, INBOX rules.
pub async fn mailboxes(store: &dyn MailStore) {
    let acc = store.account("conf-mbx").await.expect("open account");
    let sep = acc.separator();
    let list = acc.list().await.expect("list");
    assert_eq!(
        list.first().map(|m| m.name.as_str()),
        Some("INBOX"),
        "INBOX listed first, always"
    );

    acc.create("Sent", Some(SpecialUse::Sent))
        .await
        .expect("create Sent");
    let child = format!("Archive{sep}2026");
    acc.create(&child, None)
        .await
        .expect("create child creates parent");
    let list = acc.list().await.expect("list");
    let find = |n: &str| list.iter().find(|m| m.name == n).cloned();
    assert_eq!(
        find("Sent").and_then(|m| m.special_use),
        Some(SpecialUse::Sent)
    );
    assert!(
        find("Archive").is_some_and(|m| m.has_children && m.selectable),
        "parent has children"
    );
    assert!(find(&child).is_some_and(|m| !m.has_children));
    assert!(matches!(
        acc.create("Sent", None).await,
        Err(StoreError::MailboxExists(_))
    ));
    assert!(matches!(
        acc.create("inbox", None).await,
        Err(StoreError::MailboxExists(_))
    ));
    assert!(matches!(
        acc.create("INBOX", None).await,
        Err(StoreError::MailboxExists(_))
    ));
    assert_eq!(
        acc.status("inbox").await.expect("inbox any case").messages,
        0
    );

    acc.set_subscribed("Sent", true).await.expect("subscribe");
    assert!(
        acc.list()
            .await
            .expect("list")
            .iter()
            .any(|m| m.name == "Sent" && m.subscribed)
    );
    acc.set_subscribed("Sent", false)
        .await
        .expect("unsubscribe");
    assert!(
        acc.list()
            .await
            .expect("list")
            .iter()
            .any(|m| m.name == "Sent" && !m.subscribed)
    );
    // A subscription outlives its mailbox, and may name none (RFC 9051 §6.3.7).
    acc.set_subscribed("Gone", true).await.expect("subscribe");
    acc.set_subscribed("Sent", true).await.expect("subscribe");
    assert_eq!(
        acc.subscriptions().await.expect("subscriptions"),
        ["Gone", "Sent"]
    );
    acc.set_subscribed("Gone", false)
        .await
        .expect("unsubscribe");
    acc.set_subscribed("Sent", false)
        .await
        .expect("unsubscribe");
    assert!(acc.subscriptions().await.expect("subscriptions").is_empty());
    acc.set_special_use("Archive", Some(SpecialUse::Archive))
        .await
        .expect("set use");

    let uid = append(acc.as_ref(), &child, message("in-child", 3), &[Flag::Seen]).await;
    let validity = acc.status(&child).await.expect("status").uid_validity;
    acc.rename("Archive", "Old")
        .await
        .expect("rename with children");
    let moved = format!("Old{sep}2026");
    let list = acc.list().await.expect("list");
    assert!(
        list.iter().all(|m| m.name != "Archive" && m.name != child),
        "old names gone"
    );
    assert!(
        list.iter()
            .any(|m| m.name == "Old" && m.special_use == Some(SpecialUse::Archive))
    );
    assert_eq!(
        acc.read(&moved, uid)
            .await
            .expect("child's message follows"),
        message("in-child", 3)
    );
    assert_eq!(
        acc.status(&moved).await.expect("status").uid_validity,
        validity,
        "UIDVALIDITY kept by rename"
    );
    assert!(matches!(
        acc.rename("Sent", "Old").await,
        Err(StoreError::MailboxExists(_))
    ));
    assert!(matches!(
        acc.rename("Nope", "X").await,
        Err(StoreError::NoSuchMailbox(_))
    ));

    assert!(
        matches!(
            acc.delete("Old").await,
            Err(StoreError::NotPermitted { .. })
        ),
        "children first"
    );
    acc.delete(&moved).await.expect("delete child");
    acc.delete("Old").await.expect("delete parent");
    assert!(matches!(
        acc.status("Old").await,
        Err(StoreError::NoSuchMailbox(_))
    ));
    acc.create("Again", None).await.expect("create");
    let first = acc.status("Again").await.expect("status").uid_validity;
    acc.delete("Again").await.expect("delete");
    acc.create("Again", None).await.expect("create again");
    let second = acc.status("Again").await.expect("status").uid_validity;
    assert_ne!(
        first, second,
        "a mailbox created again gets a new UIDVALIDITY"
    );
    assert!(matches!(
        acc.delete("INBOX").await,
        Err(StoreError::NotPermitted { .. })
    ));
    assert!(matches!(
        acc.delete("Nope").await,
        Err(StoreError::NoSuchMailbox(_))
    ));

    let a = append(acc.as_ref(), "INBOX", message("inbox-rename", 2), &[]).await;
    acc.rename("INBOX", "Saved").await.expect("rename INBOX");
    assert_eq!(acc.status("INBOX").await.expect("INBOX stays").messages, 0);
    let saved = acc
        .messages("Saved", &UidSet::all())
        .await
        .expect("messages");
    assert_eq!(saved.len(), 1, "INBOX's messages moved");
    let data = acc.read("Saved", saved[0].uid).await.expect("read");
    assert_eq!(
        id_of(&data).as_deref(),
        Some("inbox-rename"),
        "uid {a} moved intact"
    );
}

/// Names from the network that must be refused, and that nothing is created for them.
pub async fn names_refused(store: &dyn MailStore) {
    for user in ["../evil", "", "a/b", ".."] {
        assert!(
            matches!(store.account(user).await, Err(StoreError::InvalidUser(_))),
            "user {user:?}"
        );
    }
    let acc = store.account("conf-names").await.expect("open account");
    let sep = acc.separator();
    let long = "x".repeat(300);
    let bad = [
        "".to_string(),
        "..".to_string(),
        format!("a{sep}{sep}b"),
        format!("{sep}lead"),
        format!("trail{sep}"),
        "../../etc".to_string(),
        "/etc/passwd".to_string(),
        "a\0b".to_string(),
        "a\\b".to_string(),
        "new\nline".to_string(),
        long,
        "*".to_string(),
        ".hidden".to_string(),
    ];
    for name in &bad {
        assert!(
            matches!(
                acc.create(name, None).await,
                Err(StoreError::InvalidName { .. })
            ),
            "create {name:?}"
        );
        assert!(
            matches!(acc.status(name).await, Err(StoreError::InvalidName { .. })),
            "status {name:?}"
        );
        assert!(
            matches!(
                acc.rename("INBOX", name).await,
                Err(StoreError::InvalidName { .. })
            ),
            "rename to {name:?}"
        );
        assert!(
            matches!(
                acc.append(name, message("x", 1).into(), AppendOptions::default())
                    .await,
                Err(StoreError::InvalidName { .. })
            ),
            "append to {name:?}"
        );
    }
    assert!(matches!(
        acc.create("Inbox", None).await,
        Err(StoreError::MailboxExists(_))
    ));
    let names: Vec<String> = acc
        .list()
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(
        names,
        vec!["INBOX".to_string()],
        "no mailbox created by refused names"
    );
}
