//! Staff on SQLite and Postgres: registering, re-registering, roles, limits, removal.

use helpline::staff::{Role, Staff, StaffError, StaffName};

use crate::support::{Backend, TestDb, noon};

async fn staff_story(backend: Backend) {
    let db = TestDb::new(backend).await;
    let staff = Staff::new(db.store.db());
    let iris = StaffName::parse("Iris").expect("staff call succeeds");
    let added = staff
        .add(1001, &iris, Role::Consultant, noon())
        .await
        .expect("staff call succeeds");
    assert_eq!(added.role, Role::Consultant);
    assert_eq!(added.max_cases, helpline::staff::DEFAULT_MAX_CASES);
    assert_eq!(added.added_at, noon());

    // Registering the same Telegram id again updates her, it does not add a second row.
    let again = staff
        .add(
            1001,
            &StaffName::parse("Iris K").expect("staff call succeeds"),
            Role::Coordinator,
            noon(),
        )
        .await
        .expect("staff call succeeds");
    assert_eq!(again.id, added.id);
    assert_eq!(again.name.as_str(), "Iris K");
    assert_eq!(again.role, Role::Coordinator);

    let mira = staff
        .add(
            1002,
            &StaffName::parse("Mira").expect("staff call succeeds"),
            Role::Consultant,
            noon(),
        )
        .await
        .expect("staff call succeeds");
    let names: Vec<String> = staff
        .list()
        .await
        .expect("staff call succeeds")
        .into_iter()
        .map(|m| m.name.to_string())
        .collect();
    assert_eq!(names, ["Iris K", "Mira"], "coordinators first");

    staff
        .set_role(mira.id, Role::Coordinator)
        .await
        .expect("staff call succeeds");
    staff
        .set_max_cases(mira.id, 5)
        .await
        .expect("staff call succeeds");
    let found = staff
        .by_telegram_id(1002)
        .await
        .expect("staff call succeeds")
        .expect("staff call succeeds");
    assert_eq!((found.role, found.max_cases), (Role::Coordinator, 5));
    assert!(matches!(
        staff.set_max_cases(mira.id, 0).await,
        Err(StaffError::BadLimit)
    ));
    assert!(matches!(
        staff.add(-5, &iris, Role::Consultant, noon()).await,
        Err(StaffError::BadTelegramId)
    ));

    staff.remove(mira.id).await.expect("staff call succeeds");
    assert!(
        staff
            .by_telegram_id(1002)
            .await
            .expect("staff call succeeds")
            .is_none()
    );
    assert!(matches!(
        staff.remove(mira.id).await,
        Err(StaffError::NotFound)
    ));
    assert_eq!(
        staff
            .by_id(added.id)
            .await
            .expect("staff call succeeds")
            .expect("staff call succeeds")
            .telegram_id,
        1001
    );
}

#[tokio::test]
async fn staff_on_sqlite() {
    staff_story(Backend::Sqlite).await;
}

#[tokio::test]
async fn staff_on_postgres() {
    staff_story(Backend::Postgres).await;
}
