use std::time::Instant;

use vakt_core::directory::{PersonKind, Tenant, validate_people_csv};
use vakt_store::{AuditFilter, ImportMode, NewUnit, StoreError};

use crate::harness::{Env, audit_count, ctx, each_engine, tenant};

const HEADER: &str = "employee_number,given_name,family_name,email,kind,unit_code,manager_employee_number,state,start_date,end_date,birth_date,language\n";

async fn setup(env: &Env) -> Tenant {
    let t = tenant(&env.db, "oslo").await;
    let mut tx = env.db.write(&ctx(&t)).await.unwrap();
    tx.create_unit(NewUnit { parent: None, name: "IT".into(), code: "IT".into(), leader: None }).await.unwrap();
    tx.create_unit(NewUnit { parent: None, name: "HR".into(), code: "HR".into(), leader: None }).await.unwrap();
    tx.commit().await.unwrap();
    t
}

async fn import(env: &Env, t: &Tenant, body: &str, mode: ImportMode) -> Result<vakt_store::ImportOutcome, StoreError> {
    let cx = env.db.import_context(t.id).await.unwrap();
    let plan = validate_people_csv(format!("{HEADER}{body}").as_bytes(), &cx);
    let mut tx = env.db.write(&ctx(t)).await.unwrap();
    let out = tx.apply_import(&plan, mode).await?;
    tx.commit().await.unwrap();
    Ok(out)
}

const GOOD: &str = "1,Kari,Nordmann,kari@example.no,employee,IT,2,active,2020-01-01,,,nb\n\
                    2,Ola,Hansen,ola@example.no,consultant,HR,,active,,,,\n";

#[tokio::test]
async fn a_file_with_one_bad_row_writes_nothing_and_names_the_row() {
    each_engine(|env| async move {
        let t = setup(&env).await;
        let before = audit_count(&env.db, &t).await;
        let r = import(&env, &t, &format!("{GOOD}3,Per,,per@example.no,,IT,,,,,,\n"), ImportMode::AllOrNothing).await;
        let Err(StoreError::ImportRejected(errors)) = r else { panic!("expected a refusal, got {r:?}") };
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].reason.code()), (4, "required"));
        assert_eq!(env.db.count_people(t.id).await.unwrap(), 0);
        assert_eq!(audit_count(&env.db, &t).await, before);
    })
    .await;
}

#[tokio::test]
async fn skip_invalid_writes_the_good_rows_and_reports_the_skipped() {
    each_engine(|env| async move {
        let t = setup(&env).await;
        let out = import(&env, &t, &format!("{GOOD}3,Per,Berg,per@example.no,,NOPE,,,,,,\n"), ImportMode::SkipInvalid)
            .await
            .unwrap();
        assert_eq!((out.created, out.updated, out.skipped_lines.clone()), (2, 0, vec![4]));
        assert_eq!(env.db.count_people(t.id).await.unwrap(), 2);
        // The forward manager reference (row 1 -> row 2) was resolved.
        let kari = env.db.person_by_employee_number(t.id, "1").await.unwrap().unwrap();
        let ola = env.db.person_by_employee_number(t.id, "2").await.unwrap().unwrap();
        assert_eq!(kari.manager, Some(ola.id));
        assert_eq!(ola.kind, PersonKind::Consultant);
        let ev = env.db.search_audit(t.id, &AuditFilter { person: Some(kari.id), ..Default::default() }, 10, 0).await.unwrap();
        assert_eq!(ev[0].action, "person.import_create");
        assert!(env.db.verify_audit(t.id).await.unwrap().is_ok());
    })
    .await;
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing_and_a_changed_row_updates() {
    each_engine(|env| async move {
        let t = setup(&env).await;
        import(&env, &t, GOOD, ImportMode::AllOrNothing).await.unwrap();
        let id_before = env.db.person_by_employee_number(t.id, "1").await.unwrap().unwrap().id;
        let events = audit_count(&env.db, &t).await;
        let again = import(&env, &t, GOOD, ImportMode::AllOrNothing).await.unwrap();
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));
        assert_eq!(audit_count(&env.db, &t).await, events + 1, "only the summary event");
        let changed = GOOD.replace("Kari,Nordmann", "Kari,Nordmann-Berg");
        let third = import(&env, &t, &changed, ImportMode::AllOrNothing).await.unwrap();
        assert_eq!((third.created, third.updated, third.unchanged), (0, 1, 1));
        let kari = env.db.person_by_employee_number(t.id, "1").await.unwrap().unwrap();
        assert_eq!((kari.id, kari.family_name.as_str()), (id_before, "Nordmann-Berg"));
        assert_eq!(env.db.count_people(t.id).await.unwrap(), 2);
    })
    .await;
}

#[tokio::test]
async fn metacharacters_are_stored_verbatim() {
    each_engine(|env| async move {
        let t = setup(&env).await;
        import(&env, &t, "1,\"Robert'); DROP TABLE people;--\",<script>alert(1)</script>,,,,,,,,,\n", ImportMode::AllOrNothing)
            .await
            .unwrap();
        let p = env.db.person_by_employee_number(t.id, "1").await.unwrap().unwrap();
        assert_eq!(p.given_name, "Robert'); DROP TABLE people;--");
        assert_eq!(p.family_name, "<script>alert(1)</script>");
    })
    .await;
}

#[tokio::test]
async fn fifty_thousand_people_load_in_one_transaction() {
    each_engine(|env| async move {
        let t = setup(&env).await;
        let mut csv = String::from(HEADER);
        for i in 0..50_000 {
            let manager = if i % 100 == 0 { String::new() } else { format!("P{:05}", i - i % 100) };
            csv.push_str(&format!("P{i:05},Given{i},Family{i},p{i}@example.no,employee,IT,{manager},active,,,,\n"));
        }
        let start = Instant::now();
        let cx = env.db.import_context(t.id).await.unwrap();
        let plan = validate_people_csv(csv.as_bytes(), &cx);
        assert!(plan.is_clean(), "{:?}", &plan.errors[..plan.errors.len().min(3)]);
        let validated = start.elapsed();
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        let out = tx.apply_import(&plan, ImportMode::AllOrNothing).await.unwrap();
        tx.commit().await.unwrap();
        eprintln!("{:?}: validated 50,000 rows in {validated:?}, imported in {:?}", env.db.engine(), start.elapsed());
        assert_eq!(out.created, 50_000);
        assert_eq!(env.db.count_people(t.id).await.unwrap(), 50_000);
        let q = vakt_store::PeopleQuery { text: Some("family4999".into()), limit: 20, ..Default::default() };
        let s = Instant::now();
        let page = env.db.search_people(t.id, &q).await.unwrap();
        eprintln!("{:?}: search over 50,000 in {:?}", env.db.engine(), s.elapsed());
        assert_eq!(page.items.len(), 11);
        let s = Instant::now();
        assert!(env.db.verify_audit(t.id).await.unwrap().is_ok());
        eprintln!("{:?}: verified the chain in {:?}", env.db.engine(), s.elapsed());
    })
    .await;
}
