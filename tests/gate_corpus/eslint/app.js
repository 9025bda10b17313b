const fs = require("fs");

function main() {
  let unused = 1;
  if (x == 2) {
    console.log("two")
  }
}

main();
