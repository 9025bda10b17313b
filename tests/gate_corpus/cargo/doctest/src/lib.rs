/// The balance after a deposit.
///
/// ```
/// assert_eq!(ledger::deposit(2, 3), 6);
/// ```
pub fn deposit(balance: i32, amount: i32) -> i32 {
    balance + amount
}

#[cfg(test)]
mod tests {
    #[test]
    #[should_panic]
    fn overdraft_panics() {
        assert_eq!(super::deposit(1, -2), -1);
    }

    #[test]
    fn closes() -> Result<(), String> {
        Err("ledger closed".to_string())
    }
}
