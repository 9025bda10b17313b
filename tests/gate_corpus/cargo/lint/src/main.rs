fn main() {
    let v = vec![1, 2, 3];
    if v.len() == 0 {
        println!("empty");
    }
    let x = 5;
    let y = x.clone();
    println!("{}", y);
}
