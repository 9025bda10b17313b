fn add(a: i32, b: i32) -> i32 {
    a + b
}

fn main() {
    let unused = 3;
    let total: i32 = add(1, "2");
    println!("{}", total);
}
