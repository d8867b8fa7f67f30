//! `/health/live` says the process is up; `/health/ready` says the database answers.

use klarsicht_tests::{Backend, TestApp, on_both_databases};

on_both_databases! {
    async fn liveness_answers_ok(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let response = app.get("/health/live").await;
        assert_eq!(response.status().as_u16(), 200);
        let body: serde_json::Value = response.json().await.expect("JSON");
        assert_eq!(body["status"], "live");
    }

    async fn readiness_names_the_database_that_answers(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let response = app.get("/health/ready").await;
        assert_eq!(response.status().as_u16(), 200);
        let body: serde_json::Value = response.json().await.expect("JSON");
        assert_eq!(body["status"], "ready");
        let expected = match backend { Backend::Sqlite => "sqlite", Backend::Postgres => "postgres" };
        assert_eq!(body["database"], expected);
    }

    async fn a_stopped_app_finishes_cleanly_and_frees_its_port(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let address = app.address;
        assert_eq!(app.get("/health/live").await.status().as_u16(), 200);
        app.stop().await.expect("the server stops without error");
        assert!(tokio::net::TcpStream::connect(address).await.is_err(), "nothing listens any more");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_fails_with_503_while_postgres_is_gone() {
    if !klarsicht_tests::postgres_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Postgres).await;
    assert_eq!(app.get("/health/ready").await.status().as_u16(), 200);
    app.remove_database().await;
    let response = app.get("/health/ready").await;
    assert_eq!(response.status().as_u16(), 503);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["status"], "unavailable");
    assert_eq!(app.get("/health/live").await.status().as_u16(), 200, "the process itself is still alive");
}
