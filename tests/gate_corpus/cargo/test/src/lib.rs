pub fn add(a: i32, b: i32) -> i32 {
    a + b
}

pub fn half(a: i32) -> i32 {
    a / 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves() {
        assert_eq!(half(8), 4);
    }

    #[test]
    fn adds() {
        assert_eq!(add(2, 2), 4);
    }

    #[test]
    fn panics_plainly() {
        let v: Vec<i32> = Vec::new();
        let _ = v[3];
    }
}
