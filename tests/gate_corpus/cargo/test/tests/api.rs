#[test]
fn adds_large() {
    assert!(calc::add(1, 1) == 3, "1 + 1 should be 3 here");
}
