function half(n) {
  return n / 3;
}
function add(a, b) {
  return a + b;
}
module.exports = { half, add };
