interface User {
  name: string;
  age: number;
}

const u: User = { name: "ada", age: "36" };
let count: number = "three";
console.log(u.nmae, count);
