use vakt_core::audit::{AuditClass, AuditCtx, EventDraft};
use vakt_core::directory::{EmploymentState, Language, TenantId};
use vakt_store::{AuditFilter, Db, NewUnit, PeopleQuery, StoreError, TenantUpdate};

use crate::harness::{audit_count, ctx, each_engine, person, tenant};

#[tokio::test]
async fn migrations_are_idempotent() {
    each_engine(|env| async move {
        env.db.migrate().await.unwrap();
        env.db.migrate().await.unwrap();
        let t = tenant(&env.db, "oslo").await;
        assert_eq!(env.db.tenant_by_slug("oslo").await.unwrap().map(|x| x.id), Some(t.id));
    })
    .await;
}

#[tokio::test]
async fn a_tenant_gets_its_country_defaults_and_a_unique_slug() {
    each_engine(|env| async move {
        let t = tenant(&env.db, "bergen").await;
        assert_eq!(t.default_language, Language::Nb);
        assert_eq!(t.time_zone, "Europe/Oslo");
        let again = env
            .db
            .create_tenant(
                &crate::harness::admin(),
                vakt_store::NewTenant {
                    slug: "bergen".into(),
                    name: "x".into(),
                    country: vakt_core::Country::Se,
                    default_language: None,
                    time_zone: None,
                },
            )
            .await;
        assert_eq!(again.map_err(|e| e.code()).err(), Some("tenant.slug_taken"));
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.update_tenant(TenantUpdate { name: "Bergen".into(), default_language: Language::En, time_zone: "UTC".into() })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(env.db.tenant(t.id).await.unwrap().map(|t| t.default_language), Some(Language::En));
    })
    .await;
}

#[tokio::test]
async fn every_read_is_scoped_to_its_tenant() {
    each_engine(|env| async move {
        let db = &env.db;
        let a = tenant(db, "aaa").await;
        let b = tenant(db, "bbb").await;
        let mut tx = db.write(&ctx(&a)).await.unwrap();
        let unit = tx.create_unit(NewUnit { parent: None, name: "IT".into(), code: "IT".into(), leader: None }).await.unwrap();
        let mut np = person("1", "Kari", "Nordmann");
        np.unit = Some(unit.id);
        let p = tx.create_person(np).await.unwrap();
        tx.update_unit(unit.id, NewUnit { parent: None, name: "IT".into(), code: "IT".into(), leader: Some(p.id) })
            .await
            .unwrap();
        tx.set_unit_settings(unit.id, Some(&serde_json::json!({"x": 1}))).await.unwrap();
        tx.commit().await.unwrap();

        // Tenant A sees its data.
        assert!(db.unit(a.id, unit.id).await.unwrap().is_some());
        assert!(db.person(a.id, p.id).await.unwrap().is_some());
        assert_eq!(db.search_people(a.id, &PeopleQuery::default()).await.unwrap().items.len(), 1);

        // Tenant B sees none of it, by any read.
        assert!(db.unit(b.id, unit.id).await.unwrap().is_none());
        assert!(db.unit_by_code(b.id, "IT").await.unwrap().is_none());
        assert!(db.units(b.id).await.unwrap().is_empty());
        assert!(db.units_led_by(b.id, p.id).await.unwrap().is_empty());
        assert!(db.person(b.id, p.id).await.unwrap().is_none());
        assert!(db.person_by_employee_number(b.id, "1").await.unwrap().is_none());
        assert!(db.reports_of(b.id, p.id).await.unwrap().is_empty());
        assert_eq!(db.count_people(b.id).await.unwrap(), 0);
        let q = PeopleQuery { text: Some("kari".into()), ..Default::default() };
        assert!(db.search_people(b.id, &q).await.unwrap().items.is_empty());
        assert!(matches!(db.unit_settings(b.id, unit.id).await, Err(StoreError::NotFound)));
        assert!(db.all_unit_settings(b.id).await.unwrap().is_empty());
        assert!(db.import_context(b.id).await.unwrap().unit_codes.is_empty());
        let f = AuditFilter { person: Some(p.id), ..Default::default() };
        assert!(!db.search_audit(a.id, &f, 50, 0).await.unwrap().is_empty());
        assert!(db.search_audit(b.id, &f, 50, 0).await.unwrap().is_empty());

        // Writes through tenant B cannot reach tenant A's rows.
        let mut tx = db.write(&ctx(&b)).await.unwrap();
        assert!(matches!(tx.update_person(p.id, person("1", "X", "Y")).await, Err(StoreError::NotFound)));
        assert!(matches!(
            tx.update_unit(unit.id, NewUnit { parent: None, name: "X".into(), code: "X".into(), leader: None }).await,
            Err(StoreError::NotFound)
        ));
        let mut np = person("2", "Ola", "Hansen");
        np.unit = Some(unit.id);
        assert_eq!(tx.create_person(np).await.map_err(|e| e.code()).err(), Some("person.unit_unknown"));
        let mut np = person("3", "Ola", "Hansen");
        np.manager = Some(p.id);
        assert_eq!(tx.create_person(np).await.map_err(|e| e.code()).err(), Some("person.manager_unknown"));
        assert_eq!(
            tx.create_unit(NewUnit { parent: Some(unit.id), name: "x".into(), code: "x".into(), leader: None })
                .await
                .map_err(|e| e.code())
                .err(),
            Some("unit.parent_unknown")
        );
        tx.rollback().await.unwrap();
        // Same employee number and unit code are free in another tenant.
        let mut tx = db.write(&ctx(&b)).await.unwrap();
        tx.create_unit(NewUnit { parent: None, name: "IT".into(), code: "IT".into(), leader: None }).await.unwrap();
        tx.create_person(person("1", "Other", "Person")).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.person_by_employee_number(a.id, "1").await.unwrap().map(|x| x.given_name), Some("Kari".into()));
    })
    .await;
}

#[tokio::test]
async fn each_write_records_its_audit_event_in_the_same_transaction() {
    each_engine(|env| async move {
        let db = &env.db;
        let t = tenant(db, "oslo").await;
        let before = audit_count(db, &t).await;
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let p = tx.create_person(person("7", "Kari", "Nordmann")).await.unwrap();
        assert_eq!(tx.events().len(), 1);
        tx.commit().await.unwrap();
        assert_eq!(audit_count(db, &t).await, before + 1);
        let ev = db.search_audit(t.id, &AuditFilter { object_id: Some(p.id.to_string()), ..Default::default() }, 10, 0).await.unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].action, "person.create");
        assert_eq!(ev[0].ip.as_deref(), Some("192.0.2.1"));
        assert_eq!(ev[0].actor.label, "system:test");

        // A failing write leaves neither the change nor its event.
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.create_unit(NewUnit { parent: None, name: "HR".into(), code: "HR".into(), leader: None }).await.unwrap();
        let dup = tx.create_person(person("7", "Dup", "Licate")).await;
        assert_eq!(dup.map_err(|e| e.code()).err(), Some("person.employee_number_taken"));
        drop(tx); // not committed: rolled back
        assert!(db.units(t.id).await.unwrap().is_empty());
        assert_eq!(audit_count(db, &t).await, before + 1);
        assert!(db.verify_audit(t.id).await.unwrap().is_ok());

        // A transaction that changed something without an event cannot commit.
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.enqueue_job(vakt_store::NewJob::new("x", serde_json::json!({}))).await.unwrap();
        assert!(matches!(tx.commit().await, Err(StoreError::Unaudited)));
        assert!(db.pending_jobs(10).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn concurrent_writes_of_one_tenant_keep_one_unbroken_chain() {
    each_engine(|env| async move {
        let t = tenant(&env.db, "oslo").await;
        let mut tasks = Vec::new();
        for i in 0..12 {
            let db = env.db.clone();
            let c: AuditCtx = ctx(&t);
            tasks.push(tokio::spawn(async move {
                let mut tx = db.write(&c).await.unwrap();
                tx.create_unit(NewUnit { parent: None, name: format!("U{i}"), code: format!("U{i}"), leader: None })
                    .await
                    .unwrap();
                tx.record(EventDraft::new(AuditClass::Usage, "unit.view", "unit", i)).await.unwrap();
                tx.commit().await.unwrap();
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let report = env.db.verify_audit(t.id).await.unwrap().unwrap();
        assert_eq!(report.events, 1 + 24);
    })
    .await;
}

#[tokio::test]
async fn re_parenting_a_unit_under_its_descendant_is_refused() {
    each_engine(|env| async move {
        let t = tenant(&env.db, "oslo").await;
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        let root = tx.create_unit(NewUnit { parent: None, name: "Root".into(), code: "R".into(), leader: None }).await.unwrap();
        let child =
            tx.create_unit(NewUnit { parent: Some(root.id), name: "Child".into(), code: "C".into(), leader: None }).await.unwrap();
        let r = tx.update_unit(root.id, NewUnit { parent: Some(child.id), name: "Root".into(), code: "R".into(), leader: None }).await;
        assert_eq!(r.map_err(|e| e.code()).err(), Some("unit.cycle"));
        assert_eq!(tx.delete_unit(root.id).await.map_err(|e| e.code()).err(), Some("unit.not_empty"));
        tx.delete_unit(child.id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(env.db.units(t.id).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn people_search_pages_and_matches_case_insensitively() {
    each_engine(|env| async move {
        let db = &env.db;
        let t = tenant(db, "oslo").await;
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        for i in 0..120 {
            tx.create_person(person(&format!("E{i:03}"), &format!("Given{i:03}"), &format!("Family{:03}", 119 - i))).await.unwrap();
        }
        let mut np = person("X1", "Åse", "Ødegård");
        np.employment.state = EmploymentState::OnLeave;
        tx.create_person(np).await.unwrap();
        tx.create_person(person("X2", "100%", "Under_score")).await.unwrap();
        tx.commit().await.unwrap();

        let q = |text: Option<&str>, limit, offset| PeopleQuery { text: text.map(String::from), limit, offset, ..Default::default() };
        let p1 = db.search_people(t.id, &q(Some("family"), 50, 0)).await.unwrap();
        assert_eq!(p1.items.len(), 50);
        assert!(p1.has_more);
        assert_eq!(p1.items[0].family_name, "Family000");
        let p3 = db.search_people(t.id, &q(Some("family"), 50, 100)).await.unwrap();
        assert_eq!(p3.items.len(), 20);
        assert!(!p3.has_more);
        assert_eq!(p3.items[19].family_name, "Family119");

        let hit = db.search_people(t.id, &q(Some("ØDEGÅRD åse"), 10, 0)).await.unwrap();
        assert_eq!(hit.items.iter().map(|p| p.employee_number.as_str()).collect::<Vec<_>>(), vec!["X1"]);
        assert_eq!(db.search_people(t.id, &q(Some("x1@example.no"), 10, 0)).await.unwrap().items.len(), 1);
        assert_eq!(db.search_people(t.id, &q(Some("e042"), 10, 0)).await.unwrap().items.len(), 1);
        // LIKE metacharacters are matched literally.
        assert_eq!(db.search_people(t.id, &q(Some("%"), 10, 0)).await.unwrap().items.len(), 1);
        assert_eq!(db.search_people(t.id, &q(Some("r_s"), 10, 0)).await.unwrap().items.len(), 1);
        let on_leave = PeopleQuery { state: Some(EmploymentState::OnLeave), ..Default::default() };
        assert_eq!(db.search_people(t.id, &on_leave).await.unwrap().items.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn settings_are_stored_per_tenant_and_per_unit() {
    each_engine(|env| async move {
        let db = &env.db;
        let t = tenant(db, "oslo").await;
        assert_eq!(db.tenant_settings(t.id).await.unwrap(), serde_json::json!({}));
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let u = tx.create_unit(NewUnit { parent: None, name: "IT".into(), code: "IT".into(), leader: None }).await.unwrap();
        tx.set_tenant_settings(&serde_json::json!({"password": {"min_length": 12}})).await.unwrap();
        tx.set_unit_settings(u.id, Some(&serde_json::json!({"password": {"min_length": 16}}))).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.tenant_settings(t.id).await.unwrap()["password"]["min_length"], 12);
        assert_eq!(db.unit_settings(t.id, u.id).await.unwrap().unwrap()["password"]["min_length"], 16);
        assert_eq!(db.all_unit_settings(t.id).await.unwrap().len(), 1);
        let ev = db.search_audit(t.id, &AuditFilter { action: Some("settings.".into()), ..Default::default() }, 10, 0).await.unwrap();
        assert_eq!(ev.len(), 2);
        assert!(matches!(db.tenant_settings(TenantId::new()).await, Err(StoreError::NotFound)));
        let _: &Db = db;
    })
    .await;
}
