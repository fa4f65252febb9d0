//! A panic inside a request becomes an error, and the server keeps serving on the same state.

use archc_lsp::state::Edit;

#[test]
fn a_panicking_handler_is_an_error_and_the_server_goes_on() {
    let (service, _socket) = archc_lsp::service();
    let server = service.inner();
    let opened = server.with_state(|state| state.open("/x/a.arch", "system s {}\n".to_owned()));
    assert_eq!(opened, Ok(()));
    let failed = server.with_state(|_| -> () { panic!("boom") });
    let message = failed.expect_err("the panic is an error");
    assert!(
        message.contains("internal error") && message.contains("boom"),
        "{message}"
    );
    // The lock was not left poisoned and the document is still there.
    let changed = server.with_state(|state| {
        state.change(
            "/x/a.arch",
            vec![Edit {
                range: None,
                text: "system t {}\n".into(),
            }],
        )
    });
    assert_eq!(changed, Ok(true));
}
