//! Ended OpenID Connect sessions: recorded, looked up while remembered,
//! swept.

use latchkey_store::ended_sessions;

use super::*;

#[test]
fn an_ended_sid_is_remembered_until_its_expiry_and_then_swept() {
    let db = TestDb::new();
    let mut c = conn(&db);
    assert!(!ended_sessions::has_ended(&mut c, "sid-1", t0()).unwrap());
    ended_sessions::record(&mut c, "sid-1", t0(), at(60)).unwrap();
    assert!(ended_sessions::has_ended(&mut c, "sid-1", at(59)).unwrap());
    assert!(!ended_sessions::has_ended(&mut c, "sid-2", at(1)).unwrap());
    assert!(!ended_sessions::has_ended(&mut c, "sid-1", at(60)).unwrap());
    // Ending it again extends the memory.
    ended_sessions::record(&mut c, "sid-1", at(30), at(90)).unwrap();
    assert!(ended_sessions::has_ended(&mut c, "sid-1", at(60)).unwrap());
    assert_eq!(ended_sessions::delete_expired(&mut c, at(89)).unwrap(), 0);
    assert_eq!(ended_sessions::delete_expired(&mut c, at(90)).unwrap(), 1);
    assert!(!ended_sessions::has_ended(&mut c, "sid-1", at(30)).unwrap());
}
