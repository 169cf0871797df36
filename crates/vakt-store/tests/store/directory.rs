use vakt_core::audit::{AuditClass, AuditCtx, EventDraft};
use vakt_core::directory::{EmploymentState, Language, TenantId};
use vakt_store::{AuditFilter, Db, NewUnit, PeopleQuery, StoreError, TenantUpdate};

use vakt_core::settings::Settings;

use crate::harness::{audit_count, ctx, each_engine, each_engine_unmigrated, person, tenant};

#[tokio::test]
async fn migrations_are_idempotent() {
    each_engine(|env| async move {
        env.db.migrate().await.unwrap();
        env.db.migrate().await.unwrap();
        env.db.ping().await.unwrap();
        let t = tenant(&env.db, "oslo").await;
        assert_eq!(
            env.db.tenant_by_slug("oslo").await.unwrap().map(|x| x.id),
            Some(t.id)
        );
    })
    .await;
}

/// The tenant's settings as the web layer reads them (stored document over the country preset).
async fn settings_of(db: &Db, t: &vakt_core::directory::Tenant) -> Settings {
    Settings::from_stored(t.country, &db.tenant_settings(t.id).await.unwrap()).unwrap()
}

#[tokio::test]
async fn a_tenant_gets_its_country_defaults_and_a_unique_slug() {
    each_engine(|env| async move {
        let t = tenant(&env.db, "bergen").await;
        let s = settings_of(&env.db, &t).await;
        assert_eq!(s.default_language, Language::Nb);
        assert_eq!(s.time_zone, "Europe/Oslo");
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
        tx.update_tenant(TenantUpdate {
            name: "Bergen".into(),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            env.db.tenant(t.id).await.unwrap().map(|t| t.name),
            Some("Bergen".to_owned())
        );
    })
    .await;
}

#[tokio::test]
async fn language_and_time_zone_given_at_creation_are_settings() {
    each_engine(|env| async move {
        let t = env
            .db
            .create_tenant(
                &crate::harness::admin(),
                vakt_store::NewTenant {
                    slug: "malmo".into(),
                    name: "Malmö".into(),
                    country: vakt_core::Country::Se,
                    default_language: Some(Language::En),
                    time_zone: Some("Europe/Oslo".into()),
                },
            )
            .await
            .unwrap();
        let s = settings_of(&env.db, &t).await;
        assert_eq!(s.default_language, Language::En);
        assert_eq!(s.time_zone, "Europe/Oslo");
        // The rest comes from the country preset.
        assert_eq!(
            s.languages,
            Settings::preset(vakt_core::Country::Se).languages
        );
        // A time zone the settings would refuse is refused here too.
        let bad = env
            .db
            .create_tenant(
                &crate::harness::admin(),
                vakt_store::NewTenant {
                    slug: "bad".into(),
                    name: "Bad".into(),
                    country: vakt_core::Country::Se,
                    default_language: None,
                    time_zone: Some("<script>".into()),
                },
            )
            .await;
        assert_eq!(
            bad.map_err(|e| e.code()).err(),
            Some("tenant.settings_invalid")
        );
    })
    .await;
}

#[tokio::test]
async fn the_upgrade_moves_tenant_language_and_time_zone_into_the_settings() {
    each_engine_unmigrated(|env| async move {
        // A database at the foundation schema, with a tenant whose language and time zone were columns.
        env.db.migrate_until(20261123000001).await.unwrap();
        let id = uuid::Uuid::now_v7();
        let kept = uuid::Uuid::now_v7();
        let sql = "INSERT INTO tenants (id, slug, name, country, default_language, time_zone, settings, created_at) \
                   VALUES ($1, $2, 'x', 'no', 'en', 'Europe/Stockholm', $3, $4)";
        let now = vakt_store::Ts(env.db.now());
        if let Some(p) = env.db.raw_sqlite() {
            for (tid, slug, doc) in [(id, "old", "{}"), (kept, "kept", r#"{"default_language":"da"}"#)] {
                sqlx::query(sql).bind(tid).bind(slug).bind(doc).bind(now).execute(p).await.unwrap();
            }
        }
        if let Some(p) = env.db.raw_postgres() {
            for (tid, slug, doc) in [(id, "old", "{}"), (kept, "kept", r#"{"default_language":"da"}"#)] {
                let doc: serde_json::Value = serde_json::from_str(doc).unwrap();
                sqlx::query(sql)
                    .bind(tid)
                    .bind(slug)
                    .bind(sqlx::types::Json(doc))
                    .bind(now)
                    .execute(p)
                    .await
                    .unwrap();
            }
        }
        env.db.migrate().await.unwrap();
        let old = env.db.tenant(TenantId(id)).await.unwrap().unwrap();
        let s = settings_of(&env.db, &old).await;
        assert_eq!(s.default_language, Language::En);
        assert_eq!(s.time_zone, "Europe/Stockholm");
        // A value the settings document already had wins over the old column.
        let k = env.db.tenant(TenantId(kept)).await.unwrap().unwrap();
        let s = settings_of(&env.db, &k).await;
        assert_eq!(s.default_language, Language::Da);
        assert_eq!(s.time_zone, "Europe/Stockholm");
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
        let unit = tx
            .create_unit(NewUnit {
                parent: None,
                name: "IT".into(),
                code: "IT".into(),
                leader: None,
            })
            .await
            .unwrap();
        let mut np = person("1", "Kari", "Nordmann");
        np.unit = Some(unit.id);
        let p = tx.create_person(np).await.unwrap();
        tx.update_unit(
            unit.id,
            NewUnit {
                parent: None,
                name: "IT".into(),
                code: "IT".into(),
                leader: Some(p.id),
            },
        )
        .await
        .unwrap();
        tx.set_unit_settings(unit.id, Some(&serde_json::json!({"x": 1})))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // Tenant A sees its data.
        assert!(db.unit(a.id, unit.id).await.unwrap().is_some());
        assert!(db.person(a.id, p.id).await.unwrap().is_some());
        assert_eq!(
            db.search_people(a.id, &PeopleQuery::default())
                .await
                .unwrap()
                .items
                .len(),
            1
        );

        // Tenant B sees none of it, by any read.
        assert!(db.unit(b.id, unit.id).await.unwrap().is_none());
        assert!(db.unit_by_code(b.id, "IT").await.unwrap().is_none());
        assert!(db.units(b.id).await.unwrap().is_empty());
        assert!(db.units_led_by(b.id, p.id).await.unwrap().is_empty());
        assert!(db.person(b.id, p.id).await.unwrap().is_none());
        assert!(
            db.person_by_employee_number(b.id, "1")
                .await
                .unwrap()
                .is_none()
        );
        assert!(db.reports_of(b.id, p.id).await.unwrap().is_empty());
        assert_eq!(db.count_people(b.id).await.unwrap(), 0);
        let q = PeopleQuery {
            text: Some("kari".into()),
            ..Default::default()
        };
        assert!(db.search_people(b.id, &q).await.unwrap().items.is_empty());
        assert!(matches!(
            db.unit_settings(b.id, unit.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(db.all_unit_settings(b.id).await.unwrap().is_empty());
        assert!(db.import_context(b.id).await.unwrap().unit_codes.is_empty());
        let f = AuditFilter {
            person: Some(p.id),
            ..Default::default()
        };
        assert!(!db.search_audit(a.id, &f, 50, 0).await.unwrap().is_empty());
        assert!(db.search_audit(b.id, &f, 50, 0).await.unwrap().is_empty());

        // Writes through tenant B cannot reach tenant A's rows.
        let mut tx = db.write(&ctx(&b)).await.unwrap();
        assert!(matches!(
            tx.update_person(p.id, person("1", "X", "Y")).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            tx.update_unit(
                unit.id,
                NewUnit {
                    parent: None,
                    name: "X".into(),
                    code: "X".into(),
                    leader: None
                }
            )
            .await,
            Err(StoreError::NotFound)
        ));
        let mut np = person("2", "Ola", "Hansen");
        np.unit = Some(unit.id);
        assert_eq!(
            tx.create_person(np).await.map_err(|e| e.code()).err(),
            Some("person.unit_unknown")
        );
        let mut np = person("3", "Ola", "Hansen");
        np.manager = Some(p.id);
        assert_eq!(
            tx.create_person(np).await.map_err(|e| e.code()).err(),
            Some("person.manager_unknown")
        );
        assert_eq!(
            tx.create_unit(NewUnit {
                parent: Some(unit.id),
                name: "x".into(),
                code: "x".into(),
                leader: None
            })
            .await
            .map_err(|e| e.code())
            .err(),
            Some("unit.parent_unknown")
        );
        tx.rollback().await.unwrap();
        // Same employee number and unit code are free in another tenant.
        let mut tx = db.write(&ctx(&b)).await.unwrap();
        tx.create_unit(NewUnit {
            parent: None,
            name: "IT".into(),
            code: "IT".into(),
            leader: None,
        })
        .await
        .unwrap();
        tx.create_person(person("1", "Other", "Person"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            db.person_by_employee_number(a.id, "1")
                .await
                .unwrap()
                .map(|x| x.given_name),
            Some("Kari".into())
        );
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
        let p = tx
            .create_person(person("7", "Kari", "Nordmann"))
            .await
            .unwrap();
        assert_eq!(tx.events().len(), 1);
        tx.commit().await.unwrap();
        assert_eq!(audit_count(db, &t).await, before + 1);
        let ev = db
            .search_audit(
                t.id,
                &AuditFilter {
                    object_id: Some(p.id.to_string()),
                    ..Default::default()
                },
                10,
                0,
            )
            .await
            .unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].action, "person.create");
        assert_eq!(ev[0].ip.as_deref(), Some("192.0.2.1"));
        assert_eq!(ev[0].actor.label, "system:test");

        // A failing write leaves neither the change nor its event.
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.create_unit(NewUnit {
            parent: None,
            name: "HR".into(),
            code: "HR".into(),
            leader: None,
        })
        .await
        .unwrap();
        let dup = tx.create_person(person("7", "Dup", "Licate")).await;
        assert_eq!(
            dup.map_err(|e| e.code()).err(),
            Some("person.employee_number_taken")
        );
        drop(tx); // not committed: rolled back
        assert!(db.units(t.id).await.unwrap().is_empty());
        assert_eq!(audit_count(db, &t).await, before + 1);
        assert!(db.verify_audit(t.id).await.unwrap().is_ok());

        // A transaction that changed something without an event cannot commit.
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.enqueue_job(vakt_store::NewJob::new("x", serde_json::json!({})))
            .await
            .unwrap();
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
                tx.create_unit(NewUnit {
                    parent: None,
                    name: format!("U{i}"),
                    code: format!("U{i}"),
                    leader: None,
                })
                .await
                .unwrap();
                tx.record(EventDraft::new(AuditClass::Usage, "unit.view", "unit", i))
                    .await
                    .unwrap();
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
        let root = tx
            .create_unit(NewUnit {
                parent: None,
                name: "Root".into(),
                code: "R".into(),
                leader: None,
            })
            .await
            .unwrap();
        let child = tx
            .create_unit(NewUnit {
                parent: Some(root.id),
                name: "Child".into(),
                code: "C".into(),
                leader: None,
            })
            .await
            .unwrap();
        let r = tx
            .update_unit(
                root.id,
                NewUnit {
                    parent: Some(child.id),
                    name: "Root".into(),
                    code: "R".into(),
                    leader: None,
                },
            )
            .await;
        assert_eq!(r.map_err(|e| e.code()).err(), Some("unit.cycle"));
        assert_eq!(
            tx.delete_unit(root.id).await.map_err(|e| e.code()).err(),
            Some("unit.not_empty")
        );
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
            tx.create_person(person(
                &format!("E{i:03}"),
                &format!("Given{i:03}"),
                &format!("Family{:03}", 119 - i),
            ))
            .await
            .unwrap();
        }
        let mut np = person("X1", "Åse", "Ødegård");
        np.employment.state = EmploymentState::OnLeave;
        tx.create_person(np).await.unwrap();
        tx.create_person(person("X2", "100%", "Under_score"))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let q = |text: Option<&str>, limit, offset| PeopleQuery {
            text: text.map(String::from),
            limit,
            offset,
            ..Default::default()
        };
        let p1 = db
            .search_people(t.id, &q(Some("family"), 50, 0))
            .await
            .unwrap();
        assert_eq!(p1.items.len(), 50);
        assert!(p1.has_more);
        assert_eq!(p1.items[0].family_name, "Family000");
        let p3 = db
            .search_people(t.id, &q(Some("family"), 50, 100))
            .await
            .unwrap();
        assert_eq!(p3.items.len(), 20);
        assert!(!p3.has_more);
        assert_eq!(p3.items[19].family_name, "Family119");

        let hit = db
            .search_people(t.id, &q(Some("ØDEGÅRD åse"), 10, 0))
            .await
            .unwrap();
        assert_eq!(
            hit.items
                .iter()
                .map(|p| p.employee_number.as_str())
                .collect::<Vec<_>>(),
            vec!["X1"]
        );
        assert_eq!(
            db.search_people(t.id, &q(Some("x1@example.no"), 10, 0))
                .await
                .unwrap()
                .items
                .len(),
            1
        );
        assert_eq!(
            db.search_people(t.id, &q(Some("e042"), 10, 0))
                .await
                .unwrap()
                .items
                .len(),
            1
        );
        // LIKE metacharacters are matched literally.
        assert_eq!(
            db.search_people(t.id, &q(Some("%"), 10, 0))
                .await
                .unwrap()
                .items
                .len(),
            1
        );
        assert_eq!(
            db.search_people(t.id, &q(Some("r_s"), 10, 0))
                .await
                .unwrap()
                .items
                .len(),
            1
        );
        let on_leave = PeopleQuery {
            state: Some(EmploymentState::OnLeave),
            ..Default::default()
        };
        assert_eq!(
            db.search_people(t.id, &on_leave).await.unwrap().items.len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn settings_are_stored_per_tenant_and_per_unit() {
    each_engine(|env| async move {
        let db = &env.db;
        let t = tenant(db, "oslo").await;
        assert_eq!(
            db.tenant_settings(t.id).await.unwrap(),
            serde_json::json!({})
        );
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let u = tx
            .create_unit(NewUnit {
                parent: None,
                name: "IT".into(),
                code: "IT".into(),
                leader: None,
            })
            .await
            .unwrap();
        tx.set_tenant_settings(&serde_json::json!({"password": {"min_length": 12}}))
            .await
            .unwrap();
        tx.set_unit_settings(
            u.id,
            Some(&serde_json::json!({"password": {"min_length": 16}})),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            db.tenant_settings(t.id).await.unwrap()["password"]["min_length"],
            12
        );
        assert_eq!(
            db.unit_settings(t.id, u.id).await.unwrap().unwrap()["password"]["min_length"],
            16
        );
        assert_eq!(db.all_unit_settings(t.id).await.unwrap().len(), 1);
        let ev = db
            .search_audit(
                t.id,
                &AuditFilter {
                    action: Some("settings.".into()),
                    ..Default::default()
                },
                10,
                0,
            )
            .await
            .unwrap();
        assert_eq!(ev.len(), 2);
        assert!(matches!(
            db.tenant_settings(TenantId::new()).await,
            Err(StoreError::NotFound)
        ));
        let _: &Db = db;
    })
    .await;
}

#[tokio::test]
async fn keyset_paging_walks_the_same_order_as_offsets_both_ways() {
    each_engine(|env| async move {
        let db = &env.db;
        // 57 matches, and more than PostgreSQL serves through the trigram index (200): then the
        // matches are met walking the display order.
        for (slug, n) in [("oslo", 57usize), ("trondheim", 230)] {
            let t = tenant(db, slug).await;
            let other = tenant(db, &format!("{slug}-b")).await;
            let mut tx = db.write(&ctx(&t)).await.unwrap();
            for i in 0..n {
                // Equal sort keys in groups of three: the id breaks the ties.
                tx.create_person(person(
                    &format!("E{i:03}"),
                    "Kari",
                    &format!("Berg{:02}", i / 3),
                ))
                .await
                .unwrap();
            }
            tx.create_person(person("Z1", "Zed", "Nomatch"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let q = |after, before, offset| PeopleQuery {
                text: Some("berg".into()),
                limit: 10,
                offset,
                after,
                before,
                ..Default::default()
            };
            let mut by_offset = Vec::new();
            let mut offset = 0;
            loop {
                let p = db
                    .search_people(t.id, &q(None, None, offset))
                    .await
                    .unwrap();
                by_offset.extend(p.items.iter().map(|x| x.id));
                offset += 10;
                if !p.has_more {
                    break;
                }
            }
            assert_eq!(by_offset.len(), n);
            let mut by_key = Vec::new();
            let mut pages = Vec::new();
            let mut after = None;
            loop {
                let p = db.search_people(t.id, &q(after, None, 0)).await.unwrap();
                by_key.extend(p.items.iter().map(|x| x.id));
                pages.push(p.items.iter().map(|x| x.id).collect::<Vec<_>>());
                after = p.items.last().map(|x| x.id);
                if !p.has_more {
                    break;
                }
            }
            assert_eq!(by_key, by_offset);
            assert_eq!(pages.len(), n.div_ceil(10));
            // Backwards from the first person of page 3 is page 2, in display order, with more before it.
            let back = db
                .search_people(t.id, &q(None, Some(pages[2][0]), 0))
                .await
                .unwrap();
            assert_eq!(
                back.items.iter().map(|x| x.id).collect::<Vec<_>>(),
                pages[1]
            );
            assert!(back.has_more);
            let first = db
                .search_people(t.id, &q(None, Some(pages[1][0]), 0))
                .await
                .unwrap();
            assert_eq!(
                first.items.iter().map(|x| x.id).collect::<Vec<_>>(),
                pages[0]
            );
            assert!(!first.has_more);
            // A cursor from another tenant (or no person at all) is refused, not silently empty.
            let mut tx = db.write(&ctx(&other)).await.unwrap();
            let stranger = tx
                .create_person(person("S1", "Kari", "Berg"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let r = db.search_people(t.id, &q(Some(stranger.id), None, 0)).await;
            assert_eq!(r.map_err(|e| e.code()).err(), Some("people.cursor_unknown"));
            let r = db
                .search_people(t.id, &q(Some(pages[0][0]), Some(pages[1][0]), 0))
                .await;
            assert_eq!(r.map_err(|e| e.code()).err(), Some("people.cursor_both"));
        }
    })
    .await;
}

#[tokio::test]
async fn postgres_migrates_and_searches_without_the_right_to_create_the_trigram_index() {
    // Only meaningful on PostgreSQL: a role that may not create extensions still migrates and searches.
    let Ok(base) = std::env::var("VAKT_TEST_POSTGRES_URL") else {
        return;
    };
    let admin = sqlx::PgPool::connect(&base).await.unwrap();
    let suffix = uuid::Uuid::now_v7().simple().to_string();
    let (db_name, role) = (
        format!("vakt_trgm_{suffix}"),
        format!("vakt_norights_{suffix}"),
    );
    for sql in [
        format!("CREATE ROLE {role} LOGIN"),
        format!("CREATE DATABASE {db_name}"),
        format!("REVOKE CREATE ON DATABASE {db_name} FROM PUBLIC"),
        format!("GRANT CONNECT ON DATABASE {db_name} TO {role}"),
    ] {
        sqlx::query(&sql).execute(&admin).await.unwrap();
    }
    let in_db = crate::harness::pg_url_with_db(&base, &db_name);
    let owner = sqlx::PgPool::connect(&in_db).await.unwrap();
    sqlx::query(&format!("GRANT CREATE, USAGE ON SCHEMA public TO {role}"))
        .execute(&owner)
        .await
        .unwrap();
    let as_role = in_db.replacen("postgres@", &format!("{role}@"), 1);
    assert_ne!(as_role, in_db, "the test URL must name the user postgres");
    let outcome = async move {
        let db = Db::open(&as_role).await.unwrap();
        db.migrate().await.unwrap();
        let (ext,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM pg_extension WHERE extname = 'pg_trgm'")
                .fetch_one(db.raw_postgres().unwrap())
                .await
                .unwrap();
        assert_eq!(ext, 0, "the role could not create the extension");
        let t = tenant(&db, "oslo").await;
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.create_person(person("1", "Kari", "Lindberg"))
            .await
            .unwrap();
        tx.create_person(person("2", "Ola", "Hansen"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let found = db
            .search_people(
                t.id,
                &PeopleQuery {
                    text: Some("BERG".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(found.items.len(), 1);
        db.close().await;
    };
    let result = tokio::spawn(outcome).await;
    // Migrating again as the database owner (a later start) creates the extension and the index.
    let owned = Db::open(&in_db).await.unwrap();
    owned.migrate().await.unwrap();
    let ok = result.is_ok();
    let (idx,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'people' AND indexname = 'people_search_trgm'",
    )
    .fetch_one(owned.raw_postgres().unwrap())
    .await
    .unwrap();
    owned.close().await;
    owner.close().await;
    let _ = sqlx::query(&format!("DROP DATABASE {db_name} WITH (FORCE)"))
        .execute(&admin)
        .await;
    let _ = sqlx::query(&format!("DROP ROLE {role}"))
        .execute(&admin)
        .await;
    admin.close().await;
    assert!(ok, "migration and search without the extension");
    assert_eq!(idx, 1);
}
